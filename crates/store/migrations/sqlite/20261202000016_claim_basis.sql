-- What a claim is built from (billed lines, place of service, the supervising-provider loop),
-- kept with each scrub result as JSON: a claims run builds from the result the queue shows
-- instead of scrubbing every stored visit of each patient again. NULL for results stored
-- before it was kept; those visits are scrubbed again when billed.
ALTER TABLE scrub_results ADD COLUMN claim_basis TEXT;
