"""Each views module owns its url patterns; this file only joins them."""

from .views import manage, namelists, progress, public

app_name = "disclosures"

urlpatterns = [
    *public.urlpatterns,
    *progress.urlpatterns,
    *manage.urlpatterns,
    *namelists.urlpatterns,
]
