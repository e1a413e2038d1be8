"""Each views module owns its url patterns; this file only joins them."""

from .namelists import views as namelists
from .progress import views as progress
from .public import views as public
from .records import views as manage

app_name = "disclosures"

urlpatterns = [
    *public.urlpatterns,
    *progress.urlpatterns,
    *manage.urlpatterns,
    *namelists.urlpatterns,
]
