-- scope: outlet_day
-- LOW_INSPECTION: an outlet-day whose rate (inspected_ok / parcels) is below the configured target.
-- measure = the shortfall (target - rate); count = the parcels that failed.
SELECT
    'LOW_INSPECTION' AS kind,
    'outlet' AS subject_type,
    outlet_id AS subject_id,
    CAST(accept_date AS TIMESTAMP) AS window_start,
    CAST(accept_date AS TIMESTAMP) + INTERVAL 1 DAY AS window_end,
    parcels - inspected_ok AS parcel_count,
    ${inspection_target} - CAST(inspected_ok AS DOUBLE) / CAST(parcels AS DOUBLE) AS measure,
    inspection_examples AS waybills
FROM outlet_day
WHERE CAST(inspected_ok AS DOUBLE) < ${inspection_target} * CAST(parcels AS DOUBLE)
