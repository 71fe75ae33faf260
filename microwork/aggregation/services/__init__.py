"""Writes of answer aggregation inside the platform, one module per part:

- `settings`: the requester picks the method and dynamic overlap
  (`project_aggregation_configure`).
- `run_requests`: a full re-estimate with the project's method is asked for
  (`aggregation_run_request`, and `batch_added` when new tasks arrive) and queued.
- `runs`: the background job's body (`aggregation_run_execute`), with its progress, and
  `aggregation_run_abandon` for a job that died.
- `live`: each new answer recounts its task at once (`task_aggregate_refresh`, the work
  engine's submission hook `submission_aggregate`).
- `overlap`: dynamic overlap closing a task that is confident enough, and reopening it when
  the rule is tightened.
- `events`: the append-only log of runs and settings.

How labels are formed (docs/aggregation.md, "In the platform"): an answer's class is the
interface's `answer_label`, so a multiple-choice answer is one class per distinct set of
boxes; the classes are the project's labels plus any other answer seen.
"""
