"""Generated from microwork's OpenAPI document by clients/python/scripts/generate.py.
Do not edit: run the script again."""

# ruff: noqa: E501
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NotRequired, TypedDict, cast

from microwork_client._http import BaseClient, FileField

API_VERSION = "1"


class AccountDeleteIn(TypedDict):
    password: str


class AccountDeletedOut(TypedDict):
    deleted_at: str
    balance_kept: dict[str, str]


class AggregationIn(TypedDict):
    method: NotRequired[str | None]
    dynamic_overlap: NotRequired[bool | None]
    min_overlap: NotRequired[int | None]
    target_confidence: NotRequired[float | str | None]


class AggregationOut(TypedDict):
    method: str
    methods: list[str]
    dynamic_overlap: bool
    min_overlap: int
    max_overlap: int
    target_confidence: str
    tasks_stopped_early: int
    latest_run: RunOut | None


class AnswerOut(TypedDict):
    worker: str
    answer: Any
    label: str
    text: str
    active_seconds: str
    submitted_at: str
    status: str
    counted: bool


class AppealDecideIn(TypedDict):
    reverse: bool
    response: str


class AppealIn(TypedDict):
    message: str


class AppealOut(TypedDict):
    id: int
    decision_id: int
    worker: str
    message: str
    route: str
    status: str
    deadline_at: str
    response: str


class ApprovalRuleIn(TypedDict):
    rule_key: str
    params: NotRequired[dict[str, Any]]
    enabled: NotRequired[bool]


class ApprovalRuleOut(TypedDict):
    rule_key: str
    params: dict[str, Any]
    enabled: bool


class AssignmentOut(TypedDict):
    id: int
    status: str
    project: TaskProjectOut
    data: dict[str, Any]
    leased_at: str
    expires_at: str
    draft: NotRequired[Any]
    active_ms: int


class AttemptOut(TypedDict):
    number: int
    started_at: str
    duration_ms: int
    status_code: int | None
    error: str
    response_excerpt: str


class AvailabilityIn(TypedDict):
    available: bool


class AvailabilityOut(TypedDict):
    project: int
    available: bool


class BalanceOut(TypedDict):
    currency: str
    pending: str
    available: str
    in_flight: str
    paid: str
    payout_minimum: str


class BatchOut(TypedDict):
    id: int
    project_id: int
    filename: str
    file_format: str
    status: str
    size_bytes: int
    percent_checked: int
    rows_seen: int
    rows_added: int
    gold_added: int
    errors: list[ProblemOut]
    errors_total: int
    ignored_columns: list[str]
    opens_at: str | None
    duplicate: NotRequired[bool]
    created_at: str
    finished_at: str | None


class BillingOut(TypedDict):
    available: dict[str, str]
    projects: list[ProjectMoneyOut]


class BonusIn(TypedDict):
    worker_ids: list[int]
    amount: str
    message: str
    request_key: str


class BonusOut(TypedDict):
    workers: int
    amount: str
    currency: str


class BulkApproveIn(TypedDict):
    submission_ids: NotRequired[list[int] | None]


class BulkOut(TypedDict):
    approved: int


class ClaimOut(TypedDict):
    state: str
    assignment: NotRequired[AssignmentOut | None]
    waiting: NotRequired[WaitingOut | None]
    message: NotRequired[str]


class ConfigFieldOut(TypedDict):
    name: str
    type: str
    label: str
    help: str
    required: bool
    default: NotRequired[Any]
    value_schema: dict[str, Any]


class ConsentCategoryOut(TypedDict):
    key: str
    name: str


class ConsentGivenOut(TypedDict):
    id: int
    project_id: int
    text: str
    version: str
    given_at: str
    withdrawn_at: str | None


class ConsentIn(TypedDict):
    version: NotRequired[str | None]


class ConsentOut(TypedDict):
    text: str
    version: str
    categories: list[ConsentCategoryOut]
    purpose: str
    retention_days: int
    recipients: str
    agreed: bool


class DecisionOut(TypedDict):
    id: int
    kind: str
    status: str
    project_id: int | None
    rule_key: str
    headline: str
    explanation: str
    inputs: dict[str, Any]
    evidence: list[dict[str, Any]]
    starts_at: str
    ends_at: str | None
    appeal_status: str | None


class DeliveryOut(TypedDict):
    id: int
    subscription_id: int
    event_id: str
    event: str
    status: str
    attempts: int
    next_attempt_at: str | None
    last_status_code: int | None
    last_error: str
    delivered_at: str | None
    created_at: str
    payload: dict[str, Any]
    attempt_log: list[AttemptOut]


class DepositIn(TypedDict):
    amount: str
    currency: NotRequired[str | None]
    provider: str
    request_key: str


class DepositOut(TypedDict):
    id: int
    amount: str
    currency: str
    provider: str
    reference: str
    created_at: str


class DraftIn(TypedDict):
    draft: NotRequired[Any]
    active_ms: NotRequired[int | None]


class DraftOut(TypedDict):
    id: int
    draft: NotRequired[Any]
    active_ms: int
    draft_saved_at: str | None


class EndedOut(TypedDict):
    id: int
    status: str
    ended_at: str | None


class ErrorOut(TypedDict):
    """Every error the API answers. `code` is stable (switch on it); `message` is for people,
in their language; `field` names the input at fault when there is one; `details` lists
each problem when there are several."""
    code: str
    message: str
    field: NotRequired[str | None]
    details: NotRequired[Any]


class EventTypeOut(TypedDict):
    name: str
    description: str


class ExampleOut(TypedDict):
    config: dict[str, Any]
    data: dict[str, Any]
    answer: Any
    files: NotRequired[dict[str, SampleFileOut] | None]
    project: NotRequired[dict[str, Any] | None]


class FileOut(TypedDict):
    ref: str
    field: str
    content_type: str
    size_bytes: int
    sha256: str
    facts: dict[str, Any]
    completed_at: str | None


class GrantIn(TypedDict):
    worker: str
    value: NotRequired[int]


class GrantOut(TypedDict):
    qualification_id: int
    worker: str
    value: int
    granted_at: str


class HistoryOut(TypedDict):
    assignment_id: int
    project: str
    answer_label: str
    answer_text: str
    status: str
    submitted_at: str
    reward: str
    currency: str
    active_ms: int


class Input(TypedDict):
    page: NotRequired[int]
    page_size: NotRequired[int | None]


class InputColumnsOut(TypedDict):
    required: list[str]
    optional: list[str]
    one_of: list[list[str]]


class InterfaceOut(TypedDict):
    key: str
    title: str
    description: str
    config_fields: list[ConfigFieldOut]
    config_schema: dict[str, Any]
    input_schema: dict[str, Any]
    answer_schema: dict[str, Any]
    answer_field: str
    input_columns: InputColumnsOut
    consensus: str | None
    reviewed: bool
    personal_data: list[str]
    example: NotRequired[ExampleOut | None]
    file_fields: NotRequired[list[str]]


class LiveAnswerOut(TypedDict):
    answer: Any
    submitted_at: str


class LiveTaskIn(TypedDict):
    data: dict[str, Any]
    deadline_seconds: int
    idempotency_key: NotRequired[str]
    wait: NotRequired[bool]


class LiveTaskOut(TypedDict):
    id: int
    status: str
    deadline: str
    created_at: str
    closed_at: str | None
    reason: str
    message: str
    answers: list[LiveAnswerOut]
    charged: bool


class MediaFileOut(TypedDict):
    id: int
    name: str
    ref: str
    content_type: str
    kind: str
    size_bytes: int
    sha256: str
    created_at: str


class MethodIn(TypedDict):
    provider: str
    phone: str
    name: NotRequired[str]
    label: NotRequired[str]


class MethodOut(TypedDict):
    id: int
    provider: str
    label: str
    description: str


class MissedControlOut(TypedDict):
    project_id: int
    submitted_at: str
    shown: bool
    reveal_at: str | None
    evidence: dict[str, Any] | None


class OfferAcceptOut(TypedDict):
    offer: int
    assignment: AssignmentOut


class OpenProjectOut(TypedDict):
    id: int
    name: str
    description: str
    interface: str
    reward: str
    currency: str
    estimated_seconds: int
    hourly_rate: str
    tasks_available: int
    opens_at: str | None
    waiting: bool
    subscribed: bool
    next_release_at: str | None
    next_release_tasks: int
    rules: list[str]
    can_start: bool
    refusal: str
    refusal_url: str
    consent: NotRequired[ConsentOut | None]
    disturbing_content: list[str]


class PagedDeliveryOut(TypedDict):
    items: list[DeliveryOut]
    count: int


class PagedMediaFileOut(TypedDict):
    items: list[MediaFileOut]
    count: int


class PagedProjectListOut(TypedDict):
    items: list[ProjectListOut]
    count: int


class PagedSubscriptionOut(TypedDict):
    items: list[SubscriptionOut]
    count: int


class PagedTaskOut(TypedDict):
    items: list[TaskOut]
    count: int


class PayoutIn(TypedDict):
    method_id: int
    amount: str
    currency: NotRequired[str | None]
    request_key: NotRequired[str | None]


class PayoutOut(TypedDict):
    id: int
    amount: str
    currency: str
    status: str
    requested_at: str
    provider_reference: str
    failure_reason: str


class PeerReviewOut(TypedDict):
    reviewer: str
    verdict: str
    reason: str
    reviewed_at: str
    agrees: bool | None


class PeerReviewRequestOut(TypedDict):
    submission_id: int
    task_id: int
    worker: str
    answer: Any
    answer_text: str
    status: str
    reviewers_needed: int
    threshold: str
    accepts: int
    created_at: str
    decided_at: str | None
    decision_id: int | None
    reviews: list[PeerReviewOut]


class ProblemOut(TypedDict):
    row: int | None
    field: str
    reason: str
    line: NotRequired[int | None]


class ProgressOut(TypedDict):
    project_id: int
    status: str
    tasks: int
    gold: int
    regular: int
    complete: int
    percent_complete: int
    answers: int
    answers_wanted: int


class ProjectIn(TypedDict):
    personal_data: NotRequired[list[str]]
    personal_data_purpose: NotRequired[str]
    personal_data_retention_days: NotRequired[int | None]
    personal_data_recipients: NotRequired[str]
    name: str
    description: str
    interface: str
    config: NotRequired[dict[str, Any]]
    instructions: NotRequired[str]
    reward: float | str
    currency: NotRequired[str]
    estimated_seconds: int
    overlap: NotRequired[int]
    time_limit_seconds: NotRequired[int]
    gold_rate: NotRequired[float | str]
    max_open_per_worker: NotRequired[int]
    order: NotRequired[str]
    auto_approve_seconds: NotRequired[int]
    opens_at: NotRequired[str | None]
    hourly_cap_per_worker: NotRequired[int | None]
    review_overlap: NotRequired[int]
    review_reward: NotRequired[float | str | None]
    review_threshold: NotRequired[float | str]
    disturbing_content: NotRequired[list[str] | None]


class ProjectListOut(TypedDict):
    personal_data: list[str]
    personal_data_purpose: str
    personal_data_retention_days: int | None
    personal_data_recipients: str
    id: int
    name: str
    description: str
    instructions: str
    interface: str
    config: dict[str, Any]
    answer_schema: dict[str, Any]
    input_schema: dict[str, Any]
    reward: str
    currency: str
    estimated_seconds: int
    estimated_hourly_rate: str
    overlap: int
    time_limit_seconds: int
    gold_rate: str
    max_open_per_worker: int
    order: str
    auto_approve_seconds: int
    opens_at: str | None
    hourly_cap_per_worker: int | None
    review_overlap: int
    review_reward: str
    review_threshold: str
    disturbing_content: list[str] | None
    status: str
    allowed_transitions: list[str]
    created_at: str
    updated_at: str
    tasks_total: int
    gold_total: int
    answers_total: int


class ProjectMoneyOut(TypedDict):
    project_id: int
    name: str
    currency: str
    escrow: str
    paid_to_workers: str
    fees: str
    pending_answers: int


class ProjectOut(TypedDict):
    personal_data: list[str]
    personal_data_purpose: str
    personal_data_retention_days: int | None
    personal_data_recipients: str
    id: int
    name: str
    description: str
    instructions: str
    interface: str
    config: dict[str, Any]
    answer_schema: dict[str, Any]
    input_schema: dict[str, Any]
    reward: str
    currency: str
    estimated_seconds: int
    estimated_hourly_rate: str
    overlap: int
    time_limit_seconds: int
    gold_rate: str
    max_open_per_worker: int
    order: str
    auto_approve_seconds: int
    opens_at: str | None
    hourly_cap_per_worker: int | None
    review_overlap: int
    review_reward: str
    review_threshold: str
    disturbing_content: list[str] | None
    status: str
    allowed_transitions: list[str]
    created_at: str
    updated_at: str


class ProjectPatch(TypedDict):
    personal_data: NotRequired[list[str] | None]
    personal_data_purpose: NotRequired[str | None]
    personal_data_retention_days: NotRequired[int | None]
    personal_data_recipients: NotRequired[str | None]
    name: NotRequired[str | None]
    description: NotRequired[str | None]
    interface: NotRequired[str | None]
    config: NotRequired[dict[str, Any] | None]
    instructions: NotRequired[str | None]
    reward: NotRequired[float | str | None]
    currency: NotRequired[str | None]
    estimated_seconds: NotRequired[int | None]
    overlap: NotRequired[int | None]
    time_limit_seconds: NotRequired[int | None]
    gold_rate: NotRequired[float | str | None]
    max_open_per_worker: NotRequired[int | None]
    order: NotRequired[str | None]
    auto_approve_seconds: NotRequired[int | None]
    opens_at: NotRequired[str | None]
    hourly_cap_per_worker: NotRequired[int | None]
    review_overlap: NotRequired[int | None]
    review_reward: NotRequired[float | str | None]
    review_threshold: NotRequired[float | str | None]
    disturbing_content: NotRequired[list[str] | None]


class QualificationIn(TypedDict):
    name: str
    description: NotRequired[str]


class QualificationOut(TypedDict):
    id: int
    name: str
    kind: str


class RankedItemOut(TypedDict):
    item: str
    rank: int | None
    score: float | None
    std_error: float | None
    low: float | None
    high: float | None
    win_rate: float | None
    wins: int
    losses: int
    ties: int
    both_bad: int
    comparisons: int
    group: int | None


class RankingOut(TypedDict):
    method: str
    tasks: int
    comparisons: int
    both_bad: int
    groups: int
    connected: bool
    explanation: str
    items: list[RankedItemOut]


class ReasonOut(TypedDict):
    code: str
    label: str


class RejectIn(TypedDict):
    reason: str
    note: NotRequired[str]
    confirm: NotRequired[bool]


class RejectManyIn(TypedDict):
    reason: str
    note: NotRequired[str]
    confirm: NotRequired[bool]
    submission_ids: list[int]


class RejectedManyOut(TypedDict):
    rejected: int
    decisions: list[DecisionOut]


class RejectedOut(TypedDict):
    id: int
    status: str
    changed: bool
    decision_id: int


class ReleasedSkillOut(TypedDict):
    worker: str
    project_id: int
    answers: int
    gold_answers: int
    gold_correct: int
    accuracy_mean: float | None
    accuracy_low: float | None
    accuracy_high: float | None
    compared: int
    agreed: int
    agreement: float | None
    median_active_ms: int | None
    release: int
    released_at: str
    covers_until: str


class RequirementIn(TypedDict):
    subject: str
    comparator: str
    values: NotRequired[list[Any]]
    qualification_id: NotRequired[int | None]


class RequirementOut(TypedDict):
    id: int
    subject: str
    comparator: str
    values: list[Any]
    qualification_id: int | None


class ResultOut(TypedDict):
    task_id: int
    external_id: str
    data: dict[str, Any]
    is_gold: bool
    gold_answer: NotRequired[Any]
    majority_label: str | None
    agreement: str | None
    label: NotRequired[str | None]
    value: NotRequired[Any]
    label_text: NotRequired[str]
    parts: NotRequired[list[dict[str, Any]]]
    confidence: NotRequired[str | None]
    method: NotRequired[str | None]
    stopped_early: NotRequired[bool]
    answers_count: int
    answers: list[AnswerOut]


class ResultPageOut(TypedDict):
    items: list[ResultOut]
    count: int
    page: int
    pages: int


class ReviewOut(TypedDict):
    id: int
    status: str
    changed: bool


class RuleIn(TypedDict):
    rule_key: str
    params: NotRequired[dict[str, Any]]
    action: NotRequired[str | None]
    pause_seconds: NotRequired[int]
    enabled: NotRequired[bool]


class RuleOut(TypedDict):
    rule_key: str
    params: dict[str, Any]
    action: str
    pause_seconds: int
    enabled: bool


class RunOut(TypedDict):
    id: int
    method: str
    reason: str
    status: str
    stage: str
    progress: int
    created_at: str
    started_at: str | None
    finished_at: str | None
    n_tasks: int
    n_answers: int
    n_workers: int
    error: str


class SampleFileOut(TypedDict):
    name: str
    content_type: str
    base64: str


class SettingsIn(TypedDict):
    reveal: NotRequired[str | None]
    gold_reveal_delay_hours: NotRequired[int | None]
    appeal_deadline_hours: NotRequired[int | None]
    rejection_confirm_share: NotRequired[str | None]


class SettingsOut(TypedDict):
    reveal: str
    gold_reveal_delay_hours: int
    gold_reveal_delay_seconds: int
    appeal_deadline_hours: int
    rejection_confirm_share: str


class SetupIn(TypedDict):
    use_statement: str
    standby_per_hour: float | str
    offer_seconds: NotRequired[int]


class SetupOut(TypedDict):
    project: int
    use_statement: str
    standby_per_hour: str
    currency: str
    offer_seconds: int
    available_workers: int


class SkillOut(TypedDict):
    worker: str
    project_id: int
    answers: int
    gold_answers: int
    gold_correct: int
    accuracy_mean: float | None
    accuracy_low: float | None
    accuracy_high: float | None
    compared: int
    agreed: int
    agreement: float | None
    median_active_ms: int | None


class StandingOut(TypedDict):
    skills: list[ReleasedSkillOut]
    decisions: list[WorkerDecisionOut]
    missed_controls: list[MissedControlOut]


class StatementOut(TypedDict):
    count: int
    items: list[StatementRowOut]


class StatementRowOut(TypedDict):
    at: str
    transaction_id: int
    kind: str
    description: str
    account: str
    project_id: int | None
    amount: str
    currency: str
    balance_after: str


class StatusIn(TypedDict):
    status: str
    reason: NotRequired[str]


class SubmissionOut(TypedDict):
    id: int
    assignment_id: int
    answer: Any
    status: str
    submitted_at: str
    active_ms: int
    elapsed_ms: int


class SubmitIn(TypedDict):
    answer: str | list[str] | int | list[dict[str, Any]] | dict[str, Any]
    active_ms: NotRequired[int]


class SubscriptionIn(TypedDict):
    url: str
    events: list[str]
    description: NotRequired[str]


class SubscriptionOut(TypedDict):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_at: str
    updated_at: str


class SubscriptionPatch(TypedDict):
    url: NotRequired[str | None]
    events: NotRequired[list[str] | None]
    description: NotRequired[str | None]
    is_active: NotRequired[bool | None]


class SubscriptionSecretOut(TypedDict):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    created_at: str
    updated_at: str
    secret: str


class TaskOut(TypedDict):
    id: int
    batch_id: int
    row_number: int
    external_id: str
    data: Any
    is_gold: bool
    gold_answer: NotRequired[str | list[str] | int | list[dict[str, Any]] | dict[str, Any] | None]
    gold_explanation: str
    priority: int
    answers_count: int
    created_at: str


class TaskProjectOut(TypedDict):
    id: int
    name: str
    interface: str
    config: dict[str, Any]
    instructions_html: str
    reward: str
    currency: str
    time_limit_seconds: int
    disturbing_content: list[str]


class TestIn(TypedDict):
    name: str
    task_ids: list[int]
    mode: NotRequired[str]
    pass_mark: NotRequired[str]
    question_count: NotRequired[int]
    retake_cooldown_seconds: NotRequired[int]
    max_attempts: NotRequired[int]
    required: NotRequired[bool]


class TestOut(TypedDict):
    id: int
    name: str
    mode: str
    qualification_id: int
    pass_mark: str
    question_count: int
    retake_cooldown_seconds: int
    max_attempts: int
    tasks: int
    control_warning: str


class UploadIn(TypedDict):
    size: int
    field: NotRequired[str | None]
    content_type: NotRequired[str]


class UploadOut(TypedDict):
    upload_id: str
    status: str
    offset: int
    size: int
    file: NotRequired[FileOut | None]


class WaitingOut(TypedDict):
    requested_at: str
    retry_after_seconds: int
    received_in_window: int | None
    rounds_waited: int
    first_round_at: NotRequired[str | None]
    explanation: str


class WithdrawalOut(TypedDict):
    project_id: int
    withdrawn_at: str
    assignments_returned: list[int]
    tasks_erased: list[int]


class WorkerDecisionOut(TypedDict):
    id: int
    kind: str
    status: str
    project_id: int | None
    rule_key: str
    headline: str
    explanation: str
    inputs: dict[str, Any]
    evidence: list[dict[str, Any]]
    starts_at: str
    ends_at: str | None
    appeal_status: str | None
    evidence_waiting: int


class GeneratedOperations(BaseClient):
    """One method per operation of the API, in the document's order."""

    def list_interfaces(self) -> list[InterfaceOut]:
        """GET /api/interfaces: List Interfaces.

        The task interfaces a project can use: each one's settings, task fields and answer, as
        JSON Schema. The same declarations check uploads and answers."""
        return cast("list[InterfaceOut]", self._call("GET", "/api/interfaces", {}))

    def get_interface_schemas(self, key: str) -> InterfaceOut:
        """GET /api/interfaces/{key}: Get Interface Schemas."""
        return cast("InterfaceOut", self._call("GET", "/api/interfaces/{key}", {"key": key}))

    def create_project(self, body: ProjectIn) -> ProjectOut:
        """POST /api/projects: Create Project."""
        return cast("ProjectOut", self._call("POST", "/api/projects", {}, body=body))

    def list_projects(self, *, page: int | None = None, page_size: int | None = None) -> PagedProjectListOut:
        """GET /api/projects: List Projects."""
        return cast("PagedProjectListOut", self._call("GET", "/api/projects", {}, query={"page": page, "page_size": page_size}))

    def iter_list_projects(self, *, page_size: int | None = None) -> Iterator[ProjectListOut]:
        """Every item of GET /api/projects, page after page."""
        return self._pages("GET", "/api/projects", {}, {"page_size": page_size})

    def get_project(self, project_id: int) -> ProjectOut:
        """GET /api/projects/{project_id}: Get Project."""
        return cast("ProjectOut", self._call("GET", "/api/projects/{project_id}", {"project_id": project_id}))

    def update_project(self, project_id: int, body: ProjectPatch) -> ProjectOut:
        """PATCH /api/projects/{project_id}: Update Project."""
        return cast("ProjectOut", self._call("PATCH", "/api/projects/{project_id}", {"project_id": project_id}, body=body))

    def set_project_status(self, project_id: int, body: StatusIn) -> ProjectOut:
        """POST /api/projects/{project_id}/status: Set Project Status."""
        return cast("ProjectOut", self._call("POST", "/api/projects/{project_id}/status", {"project_id": project_id}, body=body))

    def upload_tasks(self, project_id: int, body: dict[str, Any] | None = None, *, files: Mapping[str, FileField] | None = None, data: Mapping[str, str] | None = None) -> BatchOut:
        """POST /api/projects/{project_id}/tasks: Upload Tasks."""
        return cast("BatchOut", self._call("POST", "/api/projects/{project_id}/tasks", {"project_id": project_id}, body=body, files=files, data=data, idempotent=True))

    def list_tasks(self, project_id: int, *, page: int | None = None, page_size: int | None = None) -> PagedTaskOut:
        """GET /api/projects/{project_id}/tasks: List Tasks."""
        return cast("PagedTaskOut", self._call("GET", "/api/projects/{project_id}/tasks", {"project_id": project_id}, query={"page": page, "page_size": page_size}))

    def iter_list_tasks(self, project_id: int, *, page_size: int | None = None) -> Iterator[TaskOut]:
        """Every item of GET /api/projects/{project_id}/tasks, page after page."""
        return self._pages("GET", "/api/projects/{project_id}/tasks", {"project_id": project_id}, {"page_size": page_size})

    def get_batch(self, batch_id: int) -> BatchOut:
        """GET /api/batches/{batch_id}: Get Batch."""
        return cast("BatchOut", self._call("GET", "/api/batches/{batch_id}", {"batch_id": batch_id}))

    def upload_media(self, project_id: int, *, files: Mapping[str, FileField] | None = None, data: Mapping[str, str] | None = None) -> list[MediaFileOut]:
        """POST /api/projects/{project_id}/media: Upload Media."""
        return cast("list[MediaFileOut]", self._call("POST", "/api/projects/{project_id}/media", {"project_id": project_id}, files=files, data=data))

    def list_media(self, project_id: int, *, page: int | None = None, page_size: int | None = None) -> PagedMediaFileOut:
        """GET /api/projects/{project_id}/media: List Media."""
        return cast("PagedMediaFileOut", self._call("GET", "/api/projects/{project_id}/media", {"project_id": project_id}, query={"page": page, "page_size": page_size}))

    def iter_list_media(self, project_id: int, *, page_size: int | None = None) -> Iterator[MediaFileOut]:
        """Every item of GET /api/projects/{project_id}/media, page after page."""
        return self._pages("GET", "/api/projects/{project_id}/media", {"project_id": project_id}, {"page_size": page_size})

    def project_progress(self, project_id: int) -> ProgressOut:
        """GET /api/projects/{project_id}/progress: Project Progress.

        Tasks complete (every answer in, or closed early by dynamic overlap) out of the
        project's regular tasks; controls are counted apart."""
        return cast("ProgressOut", self._call("GET", "/api/projects/{project_id}/progress", {"project_id": project_id}))

    def work_projects(self) -> list[OpenProjectOut]:
        """GET /api/work/projects: Projects.

        Projects with work for you (`tasks_available` > 0), and the ones that have run out for
        you where new work may come: ask to be told through `notify`."""
        return cast("list[OpenProjectOut]", self._call("GET", "/api/work/projects", {}))

    def work_claim(self, project_id: int) -> ClaimOut:
        """POST /api/work/projects/{project_id}/claim: Claim.

        A task, or a place in the waiting round when work is scarce. Call again after
        `retry_after_seconds` to check in; while waiting, the same call is the check-in."""
        return cast("ClaimOut", self._call("POST", "/api/work/projects/{project_id}/claim", {"project_id": project_id}))

    def work_leave(self, project_id: int) -> ClaimOut:
        """POST /api/work/projects/{project_id}/leave: Leave.

        Stop waiting for a task of this project."""
        return cast("ClaimOut", self._call("POST", "/api/work/projects/{project_id}/leave", {"project_id": project_id}))

    def work_notify(self, project_id: int) -> None:
        """POST /api/work/projects/{project_id}/notify: Notify.

        Be told at the project's next release of work: its opening time, going live again, or
        new tasks (a line in the worker's inbox at that moment). Works while it has run dry."""
        return cast("None", self._call("POST", "/api/work/projects/{project_id}/notify", {"project_id": project_id}))

    def assignment_detail(self, assignment_id: int) -> AssignmentOut:
        """GET /api/work/assignments/{assignment_id}: Assignment Detail."""
        return cast("AssignmentOut", self._call("GET", "/api/work/assignments/{assignment_id}", {"assignment_id": assignment_id}))

    def work_draft(self, assignment_id: int, body: DraftIn) -> DraftOut:
        """PUT /api/work/assignments/{assignment_id}/draft: Draft."""
        return cast("DraftOut", self._call("PUT", "/api/work/assignments/{assignment_id}/draft", {"assignment_id": assignment_id}, body=body))

    def work_submit(self, assignment_id: int, body: SubmitIn) -> SubmissionOut:
        """POST /api/work/assignments/{assignment_id}/submit: Submit.

        Idempotent: the assignment is the key, so a retry returns the same submission."""
        return cast("SubmissionOut", self._call("POST", "/api/work/assignments/{assignment_id}/submit", {"assignment_id": assignment_id}, body=body, idempotent=True))

    def work_skip(self, assignment_id: int) -> EndedOut:
        """POST /api/work/assignments/{assignment_id}/skip: Skip."""
        return cast("EndedOut", self._call("POST", "/api/work/assignments/{assignment_id}/skip", {"assignment_id": assignment_id}))

    def work_give_back(self, assignment_id: int) -> EndedOut:
        """POST /api/work/assignments/{assignment_id}/return: Give Back."""
        return cast("EndedOut", self._call("POST", "/api/work/assignments/{assignment_id}/return", {"assignment_id": assignment_id}))

    def work_history(self, *, limit: int | None = None, offset: int | None = None) -> list[HistoryOut]:
        """GET /api/work/history: History."""
        return cast("list[HistoryOut]", self._call("GET", "/api/work/history", {}, query={"limit": limit, "offset": offset}))

    def upload_file(self, assignment_id: int, *, files: Mapping[str, FileField] | None = None, data: Mapping[str, str] | None = None) -> FileOut:
        """POST /api/work/assignments/{assignment_id}/files: Upload File.

        A whole file in one multipart request (field `file`; `field`: the answer field it is
        for). Checked from its bytes by the task's kind; the answer names it by the `ref`."""
        return cast("FileOut", self._call("POST", "/api/work/assignments/{assignment_id}/files", {"assignment_id": assignment_id}, files=files, data=data))

    def upload_start(self, assignment_id: int, body: UploadIn) -> UploadOut:
        """POST /api/work/assignments/{assignment_id}/uploads: Upload Start.

        Begin a resumable upload: send the pieces with PUT …/uploads/{upload_id}?offset=N."""
        return cast("UploadOut", self._call("POST", "/api/work/assignments/{assignment_id}/uploads", {"assignment_id": assignment_id}, body=body))

    def upload_state(self, upload_id: str) -> UploadOut:
        """GET /api/work/uploads/{upload_id}: Upload State.

        Where an upload stands: the offset to send from after a dropped connection."""
        return cast("UploadOut", self._call("GET", "/api/work/uploads/{upload_id}", {"upload_id": upload_id}))

    def upload_piece(self, upload_id: str, *, offset: int | None = None) -> UploadOut:
        """PUT /api/work/uploads/{upload_id}: Upload Piece.

        The piece of the file starting at `offset` (raw bytes). 409 `wrong_offset` gives the
        offset the server has (`details.offset`): send from there. The last piece completes the
        upload, which is checked then; its answer carries the file's `ref`."""
        return cast("UploadOut", self._call("PUT", "/api/work/uploads/{upload_id}", {"upload_id": upload_id}, query={"offset": offset}))

    def file_content(self, ref: str) -> bytes:
        """GET /api/work/files/{ref}: File Content.

        A worker's file: for the worker who sent it and the project's requester organisation
        (with a requester token, only its own organisation's). Anyone else: 404."""
        return cast("bytes", self._call("GET", "/api/work/files/{ref}", {"ref": ref}, raw=True))

    def project_results(self, project_id: int, *, page: int | None = None, page_size: int | None = None) -> ResultPageOut:
        """GET /api/projects/{project_id}/results: Project Results.

        One item per task, in task order: every answer, the majority label and the agreement."""
        return cast("ResultPageOut", self._call("GET", "/api/projects/{project_id}/results", {"project_id": project_id}, query={"page": page, "page_size": page_size}))

    def iter_project_results(self, project_id: int, *, page_size: int | None = None) -> Iterator[ResultOut]:
        """Every item of GET /api/projects/{project_id}/results, page after page."""
        return self._pages("GET", "/api/projects/{project_id}/results", {"project_id": project_id}, {"page_size": page_size})

    def project_results_csv(self, project_id: int) -> bytes:
        """GET /api/projects/{project_id}/results.csv: Project Results Csv.

        One row per task (streamed CSV)."""
        return cast("bytes", self._call("GET", "/api/projects/{project_id}/results.csv", {"project_id": project_id}, raw=True))

    def project_results_jsonl(self, project_id: int) -> bytes:
        """GET /api/projects/{project_id}/results.jsonl: Project Results Jsonl.

        One JSON object per task and line (streamed)."""
        return cast("bytes", self._call("GET", "/api/projects/{project_id}/results.jsonl", {"project_id": project_id}, raw=True))

    def project_answers_csv(self, project_id: int) -> bytes:
        """GET /api/projects/{project_id}/answers.csv: Project Answers Csv.

        One row per answer (streamed CSV)."""
        return cast("bytes", self._call("GET", "/api/projects/{project_id}/answers.csv", {"project_id": project_id}, raw=True))

    def project_answers_jsonl(self, project_id: int) -> bytes:
        """GET /api/projects/{project_id}/answers.jsonl: Project Answers Jsonl."""
        return cast("bytes", self._call("GET", "/api/projects/{project_id}/answers.jsonl", {"project_id": project_id}, raw=True))

    def project_files_zip(self, project_id: int) -> bytes:
        """GET /api/projects/{project_id}/files.zip: Project Files Zip.

        Workers' files that are part of answers (photos, recordings) with their manifest, as
        one ZIP streamed as it is written."""
        return cast("bytes", self._call("GET", "/api/projects/{project_id}/files.zip", {"project_id": project_id}, raw=True))

    def project_files_csv(self, project_id: int) -> bytes:
        """GET /api/projects/{project_id}/files.csv: Project Files Csv.

        The manifest of workers' files alone: task, worker, field, ref, type, size, sha256 and
        what was measured, one row per file."""
        return cast("bytes", self._call("GET", "/api/projects/{project_id}/files.csv", {"project_id": project_id}, raw=True))

    def project_files_json(self, project_id: int) -> bytes:
        """GET /api/projects/{project_id}/files.json: Project Files Json.

        The same manifest as one JSON list."""
        return cast("bytes", self._call("GET", "/api/projects/{project_id}/files.json", {"project_id": project_id}, raw=True))

    def project_ranking(self, project_id: int) -> RankingOut:
        """GET /api/projects/{project_id}/ranking: Project Ranking.

        For a project that compares two items per task (pairwise): every item ranked with
        Bradley–Terry from all counted answers, with a 95% interval per score."""
        return cast("RankingOut", self._call("GET", "/api/projects/{project_id}/ranking", {"project_id": project_id}))

    def project_ranking_csv(self, project_id: int) -> bytes:
        """GET /api/projects/{project_id}/ranking.csv: Project Ranking Csv.

        The ranking, one row per item, best first."""
        return cast("bytes", self._call("GET", "/api/projects/{project_id}/ranking.csv", {"project_id": project_id}, raw=True))

    def project_aggregation(self, project_id: int) -> AggregationOut:
        """GET /api/projects/{project_id}/aggregation: Project Aggregation.

        The project's aggregation method, dynamic overlap settings and latest re-estimate."""
        return cast("AggregationOut", self._call("GET", "/api/projects/{project_id}/aggregation", {"project_id": project_id}))

    def project_aggregation_update(self, project_id: int, body: AggregationIn) -> AggregationOut:
        """PUT /api/projects/{project_id}/aggregation: Project Aggregation Update.

        Change the method or dynamic overlap; fields left out keep their value. A new method
        queues a re-estimate."""
        return cast("AggregationOut", self._call("PUT", "/api/projects/{project_id}/aggregation", {"project_id": project_id}, body=body))

    def project_aggregate(self, project_id: int) -> RunOut:
        """POST /api/projects/{project_id}/aggregate: Project Aggregate.

        Queue a full re-estimate with the project's method. It runs in the background: poll
        GET /api/projects/{id}/aggregation/runs/{run_id} for its progress. A run already waiting
        to start is returned instead of queuing another."""
        return cast("RunOut", self._call("POST", "/api/projects/{project_id}/aggregate", {"project_id": project_id}))

    def project_aggregation_run(self, project_id: int, run_id: int) -> RunOut:
        """GET /api/projects/{project_id}/aggregation/runs/{run_id}: Project Aggregation Run.

        One re-estimate: status, stage, progress 0–100 and, when done, what it covered."""
        return cast("RunOut", self._call("GET", "/api/projects/{project_id}/aggregation/runs/{run_id}", {"project_id": project_id, "run_id": run_id}))

    def test_create(self, project_id: int, body: TestIn) -> TestOut:
        """POST /api/quality/projects/{project_id}/tests: Test Create."""
        return cast("TestOut", self._call("POST", "/api/quality/projects/{project_id}/tests", {"project_id": project_id}, body=body))

    def test_list(self, project_id: int) -> list[TestOut]:
        """GET /api/quality/projects/{project_id}/tests: Test List."""
        return cast("list[TestOut]", self._call("GET", "/api/quality/projects/{project_id}/tests", {"project_id": project_id}))

    def rule_put(self, project_id: int, body: RuleIn) -> RuleOut:
        """PUT /api/quality/projects/{project_id}/rules: Rule Put."""
        return cast("RuleOut", self._call("PUT", "/api/quality/projects/{project_id}/rules", {"project_id": project_id}, body=body))

    def rule_list(self, project_id: int) -> list[RuleOut]:
        """GET /api/quality/projects/{project_id}/rules: Rule List."""
        return cast("list[RuleOut]", self._call("GET", "/api/quality/projects/{project_id}/rules", {"project_id": project_id}))

    def settings_get(self, project_id: int) -> SettingsOut:
        """GET /api/quality/projects/{project_id}/settings: Settings Get."""
        return cast("SettingsOut", self._call("GET", "/api/quality/projects/{project_id}/settings", {"project_id": project_id}))

    def settings_put(self, project_id: int, body: SettingsIn) -> SettingsOut:
        """PUT /api/quality/projects/{project_id}/settings: Settings Put."""
        return cast("SettingsOut", self._call("PUT", "/api/quality/projects/{project_id}/settings", {"project_id": project_id}, body=body))

    def approval_rule_put(self, project_id: int, body: ApprovalRuleIn) -> ApprovalRuleOut:
        """PUT /api/quality/projects/{project_id}/approval-rules: Approval Rule Put."""
        return cast("ApprovalRuleOut", self._call("PUT", "/api/quality/projects/{project_id}/approval-rules", {"project_id": project_id}, body=body))

    def approval_rule_list(self, project_id: int) -> list[ApprovalRuleOut]:
        """GET /api/quality/projects/{project_id}/approval-rules: Approval Rule List."""
        return cast("list[ApprovalRuleOut]", self._call("GET", "/api/quality/projects/{project_id}/approval-rules", {"project_id": project_id}))

    def requirement_add(self, project_id: int, body: RequirementIn) -> RequirementOut:
        """POST /api/quality/projects/{project_id}/requirements: Requirement Add."""
        return cast("RequirementOut", self._call("POST", "/api/quality/projects/{project_id}/requirements", {"project_id": project_id}, body=body))

    def skill_list(self, project_id: int) -> list[SkillOut]:
        """GET /api/quality/projects/{project_id}/skills: Skill List."""
        return cast("list[SkillOut]", self._call("GET", "/api/quality/projects/{project_id}/skills", {"project_id": project_id}))

    def appeal_list(self, project_id: int) -> list[AppealOut]:
        """GET /api/quality/projects/{project_id}/appeals: Appeal List."""
        return cast("list[AppealOut]", self._call("GET", "/api/quality/projects/{project_id}/appeals", {"project_id": project_id}))

    def appeal_decide(self, appeal_id: int, body: AppealDecideIn) -> AppealOut:
        """POST /api/quality/appeals/{appeal_id}/decide: Appeal Decide."""
        return cast("AppealOut", self._call("POST", "/api/quality/appeals/{appeal_id}/decide", {"appeal_id": appeal_id}, body=body))

    def qualification_create(self, body: QualificationIn) -> QualificationOut:
        """POST /api/quality/qualifications: Qualification Create."""
        return cast("QualificationOut", self._call("POST", "/api/quality/qualifications", {}, body=body))

    def qualification_grant(self, qualification_id: int, body: GrantIn) -> GrantOut:
        """POST /api/quality/qualifications/{qualification_id}/grants: Qualification Grant."""
        return cast("GrantOut", self._call("POST", "/api/quality/qualifications/{qualification_id}/grants", {"qualification_id": qualification_id}, body=body))

    def qualification_revoke(self, qualification_id: int, username: str) -> None:
        """DELETE /api/quality/qualifications/{qualification_id}/grants/{username}: Qualification Revoke."""
        return cast("None", self._call("DELETE", "/api/quality/qualifications/{qualification_id}/grants/{username}", {"qualification_id": qualification_id, "username": username}))

    def my_standing(self) -> StandingOut:
        """GET /api/quality/me/standing: My Standing.

        Your standing. Figures about control tasks and agreement come from feedback releases
        and do not move with each answer; decisions appear when made, their evidence with the
        release that covers it."""
        return cast("StandingOut", self._call("GET", "/api/quality/me/standing", {}))

    def decision_appeal(self, decision_id: int, body: AppealIn) -> AppealOut:
        """POST /api/quality/decisions/{decision_id}/appeal: Decision Appeal."""
        return cast("AppealOut", self._call("POST", "/api/quality/decisions/{decision_id}/appeal", {"decision_id": decision_id}, body=body))

    def money_balance(self, *, currency: str | None = None) -> BalanceOut:
        """GET /api/money/balance: Balance."""
        return cast("BalanceOut", self._call("GET", "/api/money/balance", {}, query={"currency": currency}))

    def payout_methods(self) -> list[MethodOut]:
        """GET /api/money/payout-methods: Methods."""
        return cast("list[MethodOut]", self._call("GET", "/api/money/payout-methods", {}))

    def method_add(self, body: MethodIn) -> MethodOut:
        """POST /api/money/payout-methods: Method Add."""
        return cast("MethodOut", self._call("POST", "/api/money/payout-methods", {}, body=body))

    def payouts(self) -> list[PayoutOut]:
        """GET /api/money/payouts: Payouts."""
        return cast("list[PayoutOut]", self._call("GET", "/api/money/payouts", {}))

    def payout_request(self, body: PayoutIn) -> PayoutOut:
        """POST /api/money/payouts: Payout Request."""
        return cast("PayoutOut", self._call("POST", "/api/money/payouts", {}, body=body, idempotency_field="request_key"))

    def deposit_create(self, body: DepositIn) -> DepositOut:
        """POST /api/money/deposits: Deposit.

        Add funds to the requester's organisation through a deposit provider (the same one the
        billing page uses). Needs a requester token."""
        return cast("DepositOut", self._call("POST", "/api/money/deposits", {}, body=body, idempotency_field="request_key"))

    def deposits(self) -> list[DepositOut]:
        """GET /api/money/deposits: Deposits."""
        return cast("list[DepositOut]", self._call("GET", "/api/money/deposits", {}))

    def money_statement(self, *, limit: int | None = None, offset: int | None = None) -> StatementOut:
        """GET /api/money/statement: Statement.

        Every entry on the caller's accounts, newest first, with each account's balance after
        it: an organisation's with a requester token, the worker's own otherwise."""
        return cast("StatementOut", self._call("GET", "/api/money/statement", {}, query={"limit": limit, "offset": offset}))

    def billing(self) -> BillingOut:
        """GET /api/billing: Billing."""
        return cast("BillingOut", self._call("GET", "/api/billing", {}))

    def rejection_reasons(self) -> list[ReasonOut]:
        """GET /api/rejection-reasons: Reasons."""
        return cast("list[ReasonOut]", self._call("GET", "/api/rejection-reasons", {}))

    def approve(self, submission_id: int) -> ReviewOut:
        """POST /api/submissions/{submission_id}/approve: Approve."""
        return cast("ReviewOut", self._call("POST", "/api/submissions/{submission_id}/approve", {"submission_id": submission_id}))

    def approve_bulk(self, project_id: int, body: BulkApproveIn) -> BulkOut:
        """POST /api/projects/{project_id}/submissions/approve: Approve Bulk."""
        return cast("BulkOut", self._call("POST", "/api/projects/{project_id}/submissions/approve", {"project_id": project_id}, body=body))

    def submission_reject(self, submission_id: int, body: RejectIn) -> RejectedOut:
        """POST /api/submissions/{submission_id}/reject: Submission Reject.

        Next to /approve and answered the same way."""
        return cast("RejectedOut", self._call("POST", "/api/submissions/{submission_id}/reject", {"submission_id": submission_id}, body=body))

    def submissions_reject(self, project_id: int, body: RejectManyIn) -> RejectedManyOut:
        """POST /api/projects/{project_id}/submissions/reject: Submissions Reject.

        Next to the bulk /approve."""
        return cast("RejectedManyOut", self._call("POST", "/api/projects/{project_id}/submissions/reject", {"project_id": project_id}, body=body))

    def submission_reject_quality(self, submission_id: int, body: RejectIn) -> DecisionOut:
        """POST /api/quality/submissions/{submission_id}/reject: Submission Reject Quality.

        Deprecated: use `POST /api/submissions/{submission_id}/reject`. Kept for existing
        scripts; it answers with the decision itself."""
        return cast("DecisionOut", self._call("POST", "/api/quality/submissions/{submission_id}/reject", {"submission_id": submission_id}, body=body))

    def submissions_reject_quality(self, project_id: int, body: RejectManyIn) -> RejectedManyOut:
        """POST /api/quality/projects/{project_id}/submissions/reject: Submissions Reject Quality.

        Deprecated: use `POST /api/projects/{project_id}/submissions/reject`, which answers the
        same. Kept for existing scripts."""
        return cast("RejectedManyOut", self._call("POST", "/api/quality/projects/{project_id}/submissions/reject", {"project_id": project_id}, body=body))

    def peer_reviews(self, project_id: int, *, limit: int | None = None, offset: int | None = None) -> list[PeerReviewRequestOut]:
        """GET /api/projects/{project_id}/peer-reviews: Peer Reviews.

        The project's answers sent to other workers for review, newest first, each with its
        reviewers' verdicts and reasons (`limit` at most 500)."""
        return cast("list[PeerReviewRequestOut]", self._call("GET", "/api/projects/{project_id}/peer-reviews", {"project_id": project_id}, query={"limit": limit, "offset": offset}))

    def bonus_send(self, project_id: int, body: BonusIn) -> BonusOut:
        """POST /api/projects/{project_id}/bonuses: Bonus."""
        return cast("BonusOut", self._call("POST", "/api/projects/{project_id}/bonuses", {"project_id": project_id}, body=body, idempotency_field="request_key"))

    def consent_give(self, project_id: int, body: ConsentIn | None = None) -> ConsentGivenOut:
        """POST /api/work/projects/{project_id}/consent: Give.

        Agree to the project's personal data declaration as it stands. Idempotent: a retry
        returns the same consent."""
        return cast("ConsentGivenOut", self._call("POST", "/api/work/projects/{project_id}/consent", {"project_id": project_id}, body=body))

    def consent_withdraw(self, project_id: int) -> WithdrawalOut:
        """DELETE /api/work/projects/{project_id}/consent: Withdraw.

        Withdraw your consent: your open tasks of the project go back, your personal data of
        the project is deleted, the requester is told which items went, and you keep your pay. A
        retry returns the same withdrawal."""
        return cast("WithdrawalOut", self._call("DELETE", "/api/work/projects/{project_id}/consent", {"project_id": project_id}))

    def my_data(self) -> bytes:
        """GET /api/work/me/data: My Data.

        Everything the platform holds about you, as one JSON document (streamed): profile,
        consents and deletions, answers, decisions and appeals, money."""
        return cast("bytes", self._call("GET", "/api/work/me/data", {}, raw=True))

    def delete_me(self, body: AccountDeleteIn) -> AccountDeletedOut:
        """POST /api/work/me/delete: Delete Me.

        Delete your account. Refused (409) while money can still move: earnings awaiting
        approval, a payout on its way, or a balance you can withdraw — withdraw first."""
        return cast("AccountDeletedOut", self._call("POST", "/api/work/me/delete", {}, body=body))

    def setup_put(self, project_id: int, body: SetupIn) -> SetupOut:
        """PUT /api/live/projects/{project_id}: Setup Put.

        Make a project answered live, or change its statement, standby rate or offer time."""
        return cast("SetupOut", self._call("PUT", "/api/live/projects/{project_id}", {"project_id": project_id}, body=body))

    def setup_get(self, project_id: int) -> SetupOut:
        """GET /api/live/projects/{project_id}: Setup Get."""
        return cast("SetupOut", self._call("GET", "/api/live/projects/{project_id}", {"project_id": project_id}))

    def task_post(self, project_id: int, body: LiveTaskIn) -> LiveTaskOut:
        """POST /api/live/projects/{project_id}/tasks: Task Post.

        Post one live task. With `wait` (the default) the request is held until a worker's
        answer arrives or the deadline passes: `status` is then `answered` (with the answer) or
        `unanswered` (nothing is charged). Without it, look it up later by its id."""
        return cast("LiveTaskOut", self._call("POST", "/api/live/projects/{project_id}/tasks", {"project_id": project_id}, body=body))

    def task_get(self, live_task_id: int, *, wait: int | None = None) -> LiveTaskOut:
        """GET /api/live/tasks/{live_task_id}: Task Get.

        A live task's state; with `wait` seconds (up to 300), held until it is answered or
        closed, or those seconds pass."""
        return cast("LiveTaskOut", self._call("GET", "/api/live/tasks/{live_task_id}", {"live_task_id": live_task_id}, query={"wait": wait}))

    def task_events(self, live_task_id: int) -> bytes:
        """GET /api/live/tasks/{live_task_id}/events: Task Events.

        Server-sent events: the live task's state now and at each change, ending with
        `answered` or `unanswered`."""
        return cast("bytes", self._call("GET", "/api/live/tasks/{live_task_id}/events", {"live_task_id": live_task_id}, raw=True))

    def opt_in(self, project_id: int) -> AvailabilityOut:
        """POST /api/live/projects/{project_id}/opt-in: Opt In.

        The worker agrees to the project's statement as it reads now."""
        return cast("AvailabilityOut", self._call("POST", "/api/live/projects/{project_id}/opt-in", {"project_id": project_id}))

    def availability(self, project_id: int, body: AvailabilityIn) -> AvailabilityOut:
        """PUT /api/live/projects/{project_id}/availability: Availability.

        Available for this project's live tasks, or not. Stay available by keeping the offer
        stream open (GET /api/live/offers/stream)."""
        return cast("AvailabilityOut", self._call("PUT", "/api/live/projects/{project_id}/availability", {"project_id": project_id}, body=body))

    def offers_stream(self) -> bytes:
        """GET /api/live/offers/stream: Offers Stream.

        Server-sent events: `offer` with the offer (or `offer: null` once it is gone), the
        moment it is made. The open stream keeps the worker available; it ends after a short
        while and the client opens it again."""
        return cast("bytes", self._call("GET", "/api/live/offers/stream", {}, raw=True))

    def offer_accept(self, offer_id: int) -> OfferAcceptOut:
        """POST /api/live/offers/{offer_id}/accept: Offer Accept.

        Yes: the task is yours until the project's time limit or the requester's deadline.
        Answer it with POST /api/work/assignments/{id}/submit."""
        return cast("OfferAcceptOut", self._call("POST", "/api/live/offers/{offer_id}/accept", {"offer_id": offer_id}))

    def offer_decline(self, offer_id: int) -> None:
        """POST /api/live/offers/{offer_id}/decline: Offer Decline."""
        return cast("None", self._call("POST", "/api/live/offers/{offer_id}/decline", {"offer_id": offer_id}))

    def list_event_types(self) -> list[EventTypeOut]:
        """GET /api/webhooks/events: List Event Types."""
        return cast("list[EventTypeOut]", self._call("GET", "/api/webhooks/events", {}))

    def create_subscription(self, body: SubscriptionIn) -> SubscriptionSecretOut:
        """POST /api/webhooks/subscriptions: Create Subscription."""
        return cast("SubscriptionSecretOut", self._call("POST", "/api/webhooks/subscriptions", {}, body=body))

    def list_subscriptions(self, *, page: int | None = None, page_size: int | None = None) -> PagedSubscriptionOut:
        """GET /api/webhooks/subscriptions: List Subscriptions."""
        return cast("PagedSubscriptionOut", self._call("GET", "/api/webhooks/subscriptions", {}, query={"page": page, "page_size": page_size}))

    def iter_list_subscriptions(self, *, page_size: int | None = None) -> Iterator[SubscriptionOut]:
        """Every item of GET /api/webhooks/subscriptions, page after page."""
        return self._pages("GET", "/api/webhooks/subscriptions", {}, {"page_size": page_size})

    def get_subscription(self, subscription_id: int) -> SubscriptionOut:
        """GET /api/webhooks/subscriptions/{subscription_id}: Get Subscription."""
        return cast("SubscriptionOut", self._call("GET", "/api/webhooks/subscriptions/{subscription_id}", {"subscription_id": subscription_id}))

    def update_subscription(self, subscription_id: int, body: SubscriptionPatch) -> SubscriptionOut:
        """PATCH /api/webhooks/subscriptions/{subscription_id}: Update Subscription."""
        return cast("SubscriptionOut", self._call("PATCH", "/api/webhooks/subscriptions/{subscription_id}", {"subscription_id": subscription_id}, body=body))

    def delete_subscription(self, subscription_id: int) -> None:
        """DELETE /api/webhooks/subscriptions/{subscription_id}: Delete Subscription."""
        return cast("None", self._call("DELETE", "/api/webhooks/subscriptions/{subscription_id}", {"subscription_id": subscription_id}))

    def rotate_secret(self, subscription_id: int) -> SubscriptionSecretOut:
        """POST /api/webhooks/subscriptions/{subscription_id}/rotate-secret: Rotate Secret.

        A new secret, shown once. The old one keeps signing beside it for 24 hours."""
        return cast("SubscriptionSecretOut", self._call("POST", "/api/webhooks/subscriptions/{subscription_id}/rotate-secret", {"subscription_id": subscription_id}))

    def send_test_event(self, subscription_id: int) -> DeliveryOut:
        """POST /api/webhooks/subscriptions/{subscription_id}/test: Send Test Event.

        A `webhook.test` event to this subscription alone, sent in the background; read its
        delivery to see what the receiver answered."""
        return cast("DeliveryOut", self._call("POST", "/api/webhooks/subscriptions/{subscription_id}/test", {"subscription_id": subscription_id}))

    def list_deliveries(self, subscription_id: int, *, page: int | None = None, page_size: int | None = None) -> PagedDeliveryOut:
        """GET /api/webhooks/subscriptions/{subscription_id}/deliveries: List Deliveries.

        The delivery log, newest first: each event sent, its status and every attempt (status
        code, error, time)."""
        return cast("PagedDeliveryOut", self._call("GET", "/api/webhooks/subscriptions/{subscription_id}/deliveries", {"subscription_id": subscription_id}, query={"page": page, "page_size": page_size}))

    def iter_list_deliveries(self, subscription_id: int, *, page_size: int | None = None) -> Iterator[DeliveryOut]:
        """Every item of GET /api/webhooks/subscriptions/{subscription_id}/deliveries, page after page."""
        return self._pages("GET", "/api/webhooks/subscriptions/{subscription_id}/deliveries", {"subscription_id": subscription_id}, {"page_size": page_size})

    def get_delivery(self, delivery_id: int) -> DeliveryOut:
        """GET /api/webhooks/deliveries/{delivery_id}: Get Delivery."""
        return cast("DeliveryOut", self._call("GET", "/api/webhooks/deliveries/{delivery_id}", {"delivery_id": delivery_id}))
