"""What other apps do when aggregation's labels change, as a registry (key → dotted path), so
aggregation never imports the apps above it that read its labels (quality)."""

# Fired when a full re-estimate has rewritten a project's labels: at the end of the run's
# job, after its last chunk of labels is written (outside any transaction: the run writes in
# chunks); a hook gets `project`. A failing hook fails the run. A single answer's new label
# fires nothing: quality's own submission hook runs after aggregation's in the same submit
# and reads the label through aggregation's selectors.
LABELS_CHANGED: dict[str, str] = {
    # Every worker's agreement with the labels is recounted.
    "quality": "microwork.quality.services.skills.skills_agreement_refresh",
}
