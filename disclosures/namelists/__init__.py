"""Name lists (名单公示): upload, column mapping, de-identification, preview,
confidentiality review (保密审查), expiry, the public table and its downloads.

One module per step; this file imports none of them, so that public code
importing `disclosures.namelists.public` pulls in nothing else:

* `staging`     private staged uploads (private storage, kept only until masked);
* `processing`  mapping → a ``processing`` list, processing, rescue, reports;
* `tasks`       the background task that processes a list (django-tasks);
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
   data) and kept under a random token in private storage (``STORAGES["private"]``:
   a directory outside MEDIA_ROOT, or a private S3 prefix; never behind a URL)
   only until it is masked, 30 minutes at most when nobody maps it. A refused
   file leaves nothing behind: no file, no row.
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

Processing model: a task, any number of app servers
===================================================

Every list is processed by a background task (`tasks.process_name_list`,
django-tasks with the database backend by default, RQ on Redis optionally),
enqueued by ``transaction.on_commit`` when the mapping is saved, and run by a
worker process (``manage.py db_worker``), never in a web process: the mapping
form returns at once and the status page refreshes itself (``<meta
http-equiv="refresh">``, no JavaScript needed) showing rows done / total from
the list's ``rows_done``, which the task updates every `PROGRESS_EVERY` rows.
The upload, the mapping, the processing and the preview may each happen on a
different machine: the staged file is in the shared private storage and the
state in the database, so no sticky sessions are needed (SPEC §11).

A worker killed mid-list (deployment, crash, OOM) leaves the list in
``processing`` with a stale heartbeat (``progress_at``). The rescue job
(`processing.name_list_rescue`, every minute from the periodic schedule of
`catalog_portal.tasks`, or ``manage.py process_name_lists`` by hand) hands a
list without progress for ``NAME_LIST_STUCK_AFTER`` (10 minutes) to a worker
again; each run counts an attempt, and after ``NAME_LIST_MAX_ATTEMPTS`` (3)
runs, or when the staged file is gone, the list ends ``failed`` with a Chinese
message for the clerk. A list is never left in ``processing`` for good. Each
run claims the list (``report.job.run``); a run that finds another run's
claim still making progress does nothing, and a run whose claim was taken
over stops at its next heartbeat.

The raw upload is never kept after masking; the optional "keep the raw upload
encrypted for staff audit" region setting is not implemented.
"""
