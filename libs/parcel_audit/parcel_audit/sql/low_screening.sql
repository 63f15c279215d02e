-- scope: outlet_day
-- LOW_SCREENING: an outlet-day whose rate (screened_ok / parcels) is below the configured target.
-- measure = the shortfall (target - rate); count = the parcels that failed.
SELECT
    'LOW_SCREENING' AS kind,
    'outlet' AS subject_type,
    outlet_id AS subject_id,
    CAST(accept_date AS TIMESTAMP) AS window_start,
    CAST(accept_date AS TIMESTAMP) + INTERVAL 1 DAY AS window_end,
    parcels - screened_ok AS parcel_count,
    ${screening_target} - CAST(screened_ok AS DOUBLE) / CAST(parcels AS DOUBLE) AS measure,
    screening_examples AS waybills
FROM outlet_day
WHERE CAST(screened_ok AS DOUBLE) < ${screening_target} * CAST(parcels AS DOUBLE)
