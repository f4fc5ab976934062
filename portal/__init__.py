"""The portal's pages that read across apps and belong to none of them: the home page, the main
menu, the staff directory with caseloads, a sentence's page with what may be done next, and a record's
audit trail. A read model: it sits above the domain apps and imports from them, never the reverse
(.importlinter). Served under the names people know them by: ioms/urls.py puts the staff, sentence
and history pages in the `staff`, `sentences` and `audit` namespaces."""
