"""Browser pages of the Review Security Classification, one module per job: `reviews` (a
prisoner's classification, a review and its steps, the reviews in progress), `outputs` (a review's
PDF form and letter), `due` (the reviews due at a prison) and `instrument` (the scoring
instrument's versions, for administrators). classification/urls.py names them all."""
