"""The public room: every anonymous page, feed, search and download of the portal.

* `gate`       the one door of public output: publication state and time, and the
               de-identification scan (every public read goes through it);
* `selectors`  the public page reads, through the gate;
* `search`     the public search, through the gate;
* `feeds`      RSS/Atom feeds of what a region has published;
* `cache`      the whole-page cache of anonymous pages, invalidated in O(1);
* `a11y`       the visitor's large-font / high-contrast choice (a cookie);
* `views`      the anonymous views and their URLs, name-list downloads included.

Public code reads name lists only through `disclosures.namelists.public`.
"""
