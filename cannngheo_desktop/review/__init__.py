"""Reviews (rà soát): the pure rules of a round — its steps, the working-day calendar, the
15-day deadline of ongoing requests and which event a decided category change writes.
Storage lives in storage/reviews.py and storage/review_decisions.py."""
