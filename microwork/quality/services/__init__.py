"""Every write in quality control, by sub-domain. Each service runs in one transaction, writes
its audit row (DecisionEvent, AppealEvent) and notifies the people concerned in the same
transaction.

Modules, lowest first (each imports only those before it): notices, qualifications, exams
(tests, training and their pay), configuration (settings and rules), skills (the standing
row), approval (approval by a rule), decisions, enforcement (rules applied to a worker;
the submission hook), appeals, sweep (the periodic job).
"""
