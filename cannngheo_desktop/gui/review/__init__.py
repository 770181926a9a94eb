"""Screens of the review round: the Rà soát tab and its step pages (list, survey, meeting,
posting, complaints, decision, certificates, report, new round, overdue requests)."""
