-- scope: screened_at
-- UNKNOWN_MACHINE: screening_machine_id not in the machine registry; one finding per (machine id,
-- day of screened_at). A parcel with a machine id but no screened_at counts on its accept_date.
WITH unknown AS (
    SELECT
        p.screening_machine_id AS machine_id,
        COALESCE(CAST(p.screened_at AS DATE), p.accept_date) AS screen_date,
        p.waybill_no AS waybill_no
    FROM parcels AS p
    LEFT JOIN machines AS m ON p.screening_machine_id = m.machine_id
    WHERE p.screening_machine_id IS NOT NULL AND m.machine_id IS NULL
)
SELECT
    'UNKNOWN_MACHINE' AS kind,
    'machine' AS subject_type,
    machine_id AS subject_id,
    CAST(screen_date AS TIMESTAMP) AS window_start,
    CAST(screen_date AS TIMESTAMP) + INTERVAL 1 DAY AS window_end,
    COUNT(*) AS parcel_count,
    CAST(NULL AS DOUBLE) AS measure,
    slice(array_sort(array_agg(waybill_no)), 1, 20) AS waybills
FROM unknown
GROUP BY machine_id, screen_date
