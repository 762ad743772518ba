-- Ingestion jobs record the pipeline steps they have completed and the state after the last one (JSON), so a retry
-- or a lease taken over after a crash continues there instead of extracting again.
ALTER TABLE ingestion_jobs ADD COLUMN completed_steps text NOT NULL DEFAULT '';
ALTER TABLE ingestion_jobs ADD COLUMN step_state text NULL;
