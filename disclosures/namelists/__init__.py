"""Name lists (名单公示): upload, column mapping, de-identification, preview,
confidentiality review (保密审查), expiry, the public table and its downloads.

One module per step; this file imports none of them, so that public code
importing `disclosures.namelists.public` pulls in nothing else:

* `staging`     private staged uploads (checked at once, kept 0600 until masked);
* `processing`  mapping → a ``processing`` list, background processing, reports;
* `services`    submit, confirm, reject, delete; the province masking policy;
                the end of a list's public period (`compute_public_until`);
* `selectors`   staff reads (lists for a user, review queue, summaries, progress);
* `public`      the only module public code may import: the public table,
                downloads, the next end for the page cache;
* `states`      which states allow what, and when a list is stuck;
* `views`       the staff pages (the public download is in `disclosures.public`).

The `access_*` helpers and template flags are in `disclosures.permissions`. The
masking rules are the pure `disclosures.deidentify`; reading and writing files
is `disclosures.spreadsheets`.

Life cycle (`NameList.Status`)
==============================

1. **Upload** (`name_list_stage_upload`). The file is checked at once by
   `open_table` (size, empty, encrypted, old .xls, zip bomb, formulas, header,
   data) and kept under a random token in a private staging directory (outside
   MEDIA_ROOT, never behind a URL, files mode 0600) only until it is masked. A
   refused file leaves nothing behind: no file, no row.
2. **Mapping** (`name_list_start`). The clerk picks the sheet and maps each
   column to a kind; a column left unmapped is not published (deny by
   default). A `NameList` is created in ``processing``; any earlier list of the
   record that was never published (preview, rejected, failed) is replaced.
3. **Processing** (`name_list_process`). Rows stream from the staged file
   through `deidentify_rows` into `NameListRow`, 1,000 at a time, and
   ``rows_done`` is updated every `PROGRESS_EVERY` source rows. The staged file
   is deleted at the end whatever the outcome: only the masked table remains.
   Success → ``preview``; failure → ``failed``, the rows written so far deleted
   and the Chinese error kept for the clerk. Rows of a list in ``processing``
   or ``failed`` are shown to nobody, so nothing half-processed is ever visible.
4. **Preview and submit** (`name_list_submit`). The clerk sees exactly the
   table the public will see (same selector, same template) and a summary:
   columns dropped and why, cells masked, identifiers found, ID numbers with a
   wrong check digit by row and column. ``preview`` → ``pending``.
5. **Confirmation** (`name_list_confirm`, `name_list_reject`). A second person
   of the list's region or a region above it confirms (保密审查), never the
   uploader and never anybody of another county: `can_confirm_name_list`
   checks it and two CheckConstraints on `NameList` enforce it in the database.
6. **Public, for a while** (SPEC §5 "No list is public forever"). A
   confirmed list of a public record is shown on the record page, paginated,
   and downloadable as xlsx and csv, through its last public day
   ``public_until``, stored at confirmation (`compute_public_until`):

   * a list with a publicity period (公示期: its ``publicity_end``, which the
     mapping form fills in from the record's while that is running) until the
     period ends;
   * a standing list (``standing``: 低保/特困 current recipients, 长期公示; the
     clerk ticks it on the mapping form, suggested from the catalog item by
     `standing_list_suggested`) until a newer confirmed list of the same item
     (``item_key``) and region replaces it: confirming the newer list sets the
     older one's ``public_until`` to the day before the newer one is public;
   * any other list for the province's display period
     (`MaskingPolicySetting.display_days`, default 365 days) from its record's
     publication.

   The public query itself filters on the end (`NameList.objects.public`,
   `NameList.objects.live`), so no job has to run for a list to stop: the
   table and the downloads end at the same moment. Afterwards the public
   learns only that the list was published and from when to when; staff
   still see the rows.

Published columns are by default exactly the four of 《社会救助暂行办法》第六十一条
(name, household size, amount, village/community); see `disclosures.deidentify`.
The mapping page shows masked sample values and warns on sensitive words.

Processing model: choice and limits
===================================

A list is processed in the request when it is small (at most
`NAME_LIST_INLINE_ROWS` data rows, estimated from the file) and otherwise in a
daemon thread started by ``transaction.on_commit``, so the mapping form
returns at once and the status page refreshes itself (``<meta
http-equiv="refresh">``, no JavaScript needed) showing rows done / total. The
portal has no task queue, and one thread per upload is the smallest thing that
keeps the page responsive; 100k rows take well under a minute (see
``bench/deidentify.py``). Limits:

* the thread lives in the web process: a worker restart or deployment in the
  middle of processing leaves the list in ``processing``. ``manage.py
  process_name_lists`` (cron, or by hand) finishes such stuck lists from the
  staged file, or marks them failed when the file is gone, and removes stale
  staged files;
* the staging directory is local to the machine: with several app servers it
  must be a shared volume (``NAME_LIST_STAGING_DIR``) or the load balancer must
  keep a clerk on one server for the few minutes of an upload;
* on SQLite the thread's batched inserts briefly hold the write lock; other
  writes wait (the busy timeout) rather than fail. PostgreSQL has no such
  contention;
* with ``NAME_LIST_BACKGROUND = False`` nothing is started in the web process:
  large lists wait in ``processing`` for ``process_name_lists``.

The raw upload is never kept after masking; the optional "keep the raw upload
encrypted for staff audit" region setting is not implemented.
"""
