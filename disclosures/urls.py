"""Each views module owns its url patterns; this file only joins them."""

from .namelists import views as namelists
from .progress import views as progress
from .views import manage, public

app_name = "disclosures"

urlpatterns = [
    *public.urlpatterns,
    *progress.urlpatterns,
    *manage.urlpatterns,
    *namelists.urlpatterns,
]
