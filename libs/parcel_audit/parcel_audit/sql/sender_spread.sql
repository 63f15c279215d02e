-- scope: accept_date
-- SENDER_SPREAD: one sender_id_hash accepted at >= ${sender_min_outlets} distinct outlets in one day.
-- measure = the number of distinct outlets.
WITH spread AS (
    SELECT sender_id_hash, accept_date, COUNT(DISTINCT outlet_id) AS outlets
    FROM parcels
    WHERE sender_id_hash IS NOT NULL
    GROUP BY sender_id_hash, accept_date
    HAVING COUNT(DISTINCT outlet_id) >= ${sender_min_outlets}
)
SELECT
    'SENDER_SPREAD' AS kind,
    'sender' AS subject_type,
    s.sender_id_hash AS subject_id,
    CAST(s.accept_date AS TIMESTAMP) AS window_start,
    CAST(s.accept_date AS TIMESTAMP) + INTERVAL 1 DAY AS window_end,
    COUNT(*) AS parcel_count,
    CAST(MAX(s.outlets) AS DOUBLE) AS measure,
    slice(array_sort(array_agg(p.waybill_no)), 1, 20) AS waybills
FROM parcels AS p
JOIN spread AS s ON p.sender_id_hash = s.sender_id_hash AND p.accept_date = s.accept_date
GROUP BY s.sender_id_hash, s.accept_date
