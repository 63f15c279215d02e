-- scope: outlet_day
-- LOW_REALNAME: an outlet-day whose rate (realname_ok / parcels) is below the configured target.
-- measure = the shortfall (target - rate); count = the parcels that failed.
SELECT
    'LOW_REALNAME' AS kind,
    'outlet' AS subject_type,
    outlet_id AS subject_id,
    CAST(accept_date AS TIMESTAMP) AS window_start,
    CAST(accept_date AS TIMESTAMP) + INTERVAL 1 DAY AS window_end,
    parcels - realname_ok AS parcel_count,
    ${realname_target} - CAST(realname_ok AS DOUBLE) / CAST(parcels AS DOUBLE) AS measure,
    realname_examples AS waybills
FROM outlet_day
WHERE CAST(realname_ok AS DOUBLE) < ${realname_target} * CAST(parcels AS DOUBLE)
