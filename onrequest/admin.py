"""Applications are deliberately not in the Django admin.

They hold the applicant's identity and contact details, which only staff of the
receiving region may read (SPEC §12); the admin is the province's back office and
would show every county's applicants. Staff handle applications in the workspace
(/work/applications/), province admins edit the letter templates there as well.
"""
