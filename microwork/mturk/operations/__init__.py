"""Every operation served: MTurk's name → handler(context, parameters) → response."""

from collections.abc import Callable
from typing import Any

from microwork.mturk.operations import assignments, hits, qualifications, workers
from microwork.mturk.protocol import Context

Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    "CreateHIT": hits.create_hit,
    "CreateHITType": hits.create_hit_type,
    "CreateHITWithHITType": hits.create_hit_with_hit_type,
    "GetHIT": hits.get_hit,
    "ListHITs": hits.list_hits,
    "ListReviewableHITs": hits.list_reviewable_hits,
    "UpdateExpirationForHIT": hits.update_expiration_for_hit,
    "UpdateHITReviewStatus": hits.update_hit_review_status,
    "UpdateHITTypeOfHIT": hits.update_hit_type_of_hit,
    "DeleteHIT": hits.delete_hit,
    "CreateAdditionalAssignmentsForHIT": hits.create_additional_assignments_for_hit,
    "ListAssignmentsForHIT": assignments.list_assignments_for_hit,
    "GetAssignment": assignments.get_assignment,
    "ApproveAssignment": assignments.approve_assignment,
    "RejectAssignment": assignments.reject_assignment,
    "SendBonus": assignments.send_bonus,
    "ListBonusPayments": assignments.list_bonus_payments,
    "CreateQualificationType": qualifications.create_qualification_type,
    "GetQualificationType": qualifications.get_qualification_type,
    "ListQualificationTypes": qualifications.list_qualification_types,
    "UpdateQualificationType": qualifications.update_qualification_type,
    "DeleteQualificationType": qualifications.delete_qualification_type,
    "AssociateQualificationWithWorker": qualifications.associate_qualification_with_worker,
    "DisassociateQualificationFromWorker": qualifications.disassociate_qualification_from_worker,
    "GetQualificationScore": qualifications.get_qualification_score,
    "ListWorkersWithQualificationType": qualifications.list_workers_with_qualification_type,
    "ListQualificationRequests": qualifications.list_qualification_requests,
    "AcceptQualificationRequest": qualifications.accept_qualification_request,
    "RejectQualificationRequest": qualifications.reject_qualification_request,
    "CreateWorkerBlock": workers.create_worker_block,
    "DeleteWorkerBlock": workers.delete_worker_block,
    "ListWorkerBlocks": workers.list_worker_blocks,
    "NotifyWorkers": workers.notify_workers,
    "GetAccountBalance": workers.get_account_balance,
    "UpdateNotificationSettings": workers.update_notification_settings,
    "SendTestEventNotification": workers.send_test_event_notification,
}
