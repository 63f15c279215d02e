-- scope: screened_at
-- SCREENED_WHILE_DOWN: screened_at inside a status window [start, end) of its machine (end null =
-- still down); one finding per (machine, window) that has any. Identical windows (same machine, start
-- and end, e.g. recorded once as offline and once as broken) are one window.
WITH windows AS (
    SELECT DISTINCT machine_id, window_start, window_end FROM machine_status
)
SELECT
    'SCREENED_WHILE_DOWN' AS kind,
    'machine' AS subject_type,
    w.machine_id AS subject_id,
    w.window_start AS window_start,
    w.window_end AS window_end,
    COUNT(*) AS parcel_count,
    CAST(NULL AS DOUBLE) AS measure,
    slice(array_sort(array_agg(p.waybill_no)), 1, 20) AS waybills
FROM parcels AS p
JOIN windows AS w
    ON p.screening_machine_id = w.machine_id
    AND p.screened_at >= w.window_start
    AND p.screened_at < COALESCE(w.window_end, TIMESTAMP '9999-12-31 00:00:00')
GROUP BY w.machine_id, w.window_start, w.window_end
