"""Each views module owns its url patterns; this file only joins them."""

from .namelists import views as namelists
from .progress import views as progress
from .public import notice
from .public import views as public
from .records import posting_views as posting
from .records import views as manage

app_name = "disclosures"

urlpatterns = [
    *public.urlpatterns,
    *notice.urlpatterns,
    *progress.urlpatterns,
    *manage.urlpatterns,
    *posting.urlpatterns,
    *namelists.urlpatterns,
]
