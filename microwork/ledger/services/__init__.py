"""Every write to the money books. Nothing else inserts entries or changes a balance.

One module per part of the books: `accounts` (which account, made on first use), `posting`
(rounding and the balanced movement everything else goes through), `deposits` (requester funds
in), `payouts` (worker money out), `rates` (amounts shown in another currency) and `check`
(proving the books)."""
