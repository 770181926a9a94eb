"""Reviews (rà soát), the yearly and ongoing rounds.

The pure rules of a round: its steps (steps.py), the working-day calendar (calendar.py), the
15-day deadline of ongoing requests and which event a decided category change writes
(decisions.py). Its records: rounds and their items, survey, meeting, posting, complaints
(rounds.py); the chairman's decision, certificates, overdue requests, the round's figures
(outcome.py); what each step page reads (worklists.py); holidays and the signer (settings.py).
"""
