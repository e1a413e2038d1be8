"""The records room: disclosure records (公开信息), their obligations, reminders and attachments.

* `services`     records: create, publish, schedule, correct, withdraw, publish due;
* `obligations`  which items apply to a region, due dates, obligations (公开义务);
* `reminders`    reminder mail for obligations due soon or overdue;
* `attachments`  checking and storing attachments (`attachment_scan`: identifiers in
                 their text; `attachment_metadata`: stripping document metadata);
* `worklists`    the clerk's work lists (what is due, overdue, waiting);
* `views`        the staff record pages under /work/records/.
"""
