"""The money side of projects and submissions, written on the ledger's services.

Flows (docs/money.md has the whole picture):
  going live      requester available → project escrow   reward × answers + fee, per task
  an answer       escrow → worker pending                 reward
  approval        worker pending → worker available       reward; escrow → platform fees: fee
  rejection       worker pending → escrow                 reward
  overturn        escrow → worker available + fees        reward + fee
  bonus, top-up   requester (or escrow) → worker available + fees
  completion      escrow → requester available            what no answer can still need

One module per part, each building only on those listed before it:

- `accounts`: the accounts a move touches, the refusal when funds fall short, the platform's
  fee, the reasons a rejection may give (`rejection_check`).
- `floor`: the pay floor, checked on settings and going live, enforced on measured answers
  with top-ups (`project_pay_floor_enforce`, `pay_floor_check_all`).
- `escrow`: funding, top-up and release of a project's escrow, and the projects app's hooks.
- `earnings`: an answer's earning booked, approved, rejected or overturned, exactly once
  (`earning_approve`, `earning_reject`, `submission_rejection_overturn`,
  `submissions_approve_due`), and the guard that pauses a project out of money.
- `bonuses`: a requester's bonuses (`bonus_transfer`) and paid tests (`test_payment_record`).

A requester's approvals, rejections and bonuses are checked and ordered in review.services,
which calls the money moves here (`earning_approve`, `earning_reject`, `bonus_transfer`).
"""
