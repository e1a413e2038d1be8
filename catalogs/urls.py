"""Staff catalog pages, mounted at /work/catalogs/ (namespace "catalogs")."""

from django.urls import path

from .views import calendar, manage, notes, review, security

app_name = "catalogs"

urlpatterns = [
    path(
        "clone/<slug:domain_slug>/",
        manage.CatalogCloneView.as_view(),
        name="catalog_clone",
    ),
    path("review/", manage.ReviewQueueView.as_view(), name="review_queue"),
    path(
        "time-limit-preview/",
        manage.TimeLimitPreviewView.as_view(),
        name="time_limit_preview",
    ),
    path("<int:pk>/", manage.CatalogDetailView.as_view(), name="catalog_detail"),
    path("<int:pk>/diff/", manage.CatalogDiffView.as_view(), name="catalog_diff"),
    path(
        "<int:pk>/history/", manage.CatalogHistoryView.as_view(), name="catalog_history"
    ),
    path("<int:pk>/submit/", review.CatalogSubmitView.as_view(), name="catalog_submit"),
    path(
        "<int:pk>/withdraw/",
        review.CatalogWithdrawView.as_view(),
        name="catalog_withdraw",
    ),
    path("<int:pk>/review/", manage.CatalogReviewView.as_view(), name="catalog_review"),
    path(
        "<int:pk>/publish/", manage.CatalogPublishView.as_view(), name="catalog_publish"
    ),
    path(
        "<int:pk>/new-version/",
        manage.CatalogNewVersionView.as_view(),
        name="catalog_new_version",
    ),
    path("<int:pk>/upstream/", manage.CatalogMergeView.as_view(), name="catalog_merge"),
    path("<int:pk>/items/add/", manage.ItemAddView.as_view(), name="item_add"),
    path(
        "item-drafts/<int:pk>/",
        manage.NewItemDraftView.as_view(),
        name="item_new_draft",
    ),
    path("items/<int:pk>/edit/", manage.ItemEditView.as_view(), name="item_edit"),
    path("items/<int:pk>/omit/", manage.ItemOmitView.as_view(), name="item_omit"),
    path(
        "items/<int:pk>/restore/", manage.ItemRestoreView.as_view(), name="item_restore"
    ),
    path("items/<int:pk>/delete/", manage.ItemDeleteView.as_view(), name="item_delete"),
    path(
        "items/<int:pk>/notes/resolve/",
        notes.SourceNoteResolveView.as_view(),
        name="item_note_resolve",
    ),
    path(
        "comments/<int:pk>/resolve/",
        manage.CommentResolveView.as_view(),
        name="comment_resolve",
    ),
    path(
        "comments/<int:pk>/answer/",
        review.CommentAnswerView.as_view(),
        name="comment_answer",
    ),
    path(
        "comments/<int:pk>/close/",
        review.CommentCloseView.as_view(),
        name="comment_close",
    ),
    path(
        "calendar/<int:year>/",
        calendar.CalendarYearView.as_view(),
        name="calendar_year",
    ),
    path("security-log/", security.SecurityLogView.as_view(), name="security_log"),
]
