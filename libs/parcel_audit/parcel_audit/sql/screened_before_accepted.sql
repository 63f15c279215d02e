-- scope: outlet_day
-- SCREENED_BEFORE_ACCEPTED: screened_at < accepted_at; one finding per (outlet, day of accepted_at).
SELECT
    'SCREENED_BEFORE_ACCEPTED' AS kind,
    'outlet' AS subject_type,
    outlet_id AS subject_id,
    CAST(accept_date AS TIMESTAMP) AS window_start,
    CAST(accept_date AS TIMESTAMP) + INTERVAL 1 DAY AS window_end,
    before_accepted AS parcel_count,
    CAST(NULL AS DOUBLE) AS measure,
    before_examples AS waybills
FROM outlet_day
WHERE before_accepted > 0
