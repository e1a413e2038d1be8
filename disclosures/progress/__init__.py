"""The progress review room (SPEC §8): how far each region below a reviewer has come.

`quarters` (pure periods) → `metrics` (one-query aggregates) → `ranking` →
`selectors` (the page's report, the export's levels) → `charts`, `exports`
(xlsx), `bulletin` (docx 通报) → `views`. `access` decides who sees which
region; `services` holds the one write (the 先进/落后 thresholds).
"""
