"""Each views module owns its url patterns; this file only joins them."""

from .views import public

app_name = "disclosures"

urlpatterns = [*public.urlpatterns]
