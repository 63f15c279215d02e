-- scope: screened_at
-- OVER_CAPACITY: a machine's scans inside one clock minute exceed capacity_per_hour / 60; consecutive
-- such minutes of one machine form one finding [first minute's start, last minute's end).
-- measure = the highest scans-per-minute / (capacity_per_hour / 60) of the run.
-- The largest aggregate of the analysis (about one group per scan) is kept cheap with integer keys:
-- the machine's number in the registry (unregistered machines cannot be over capacity: they are
-- UNKNOWN_MACHINE) and one BIGINT minute key, (year * 372 + (month - 1) * 31 + day - 1) * 1440 +
-- minute of the day, unique and increasing and built from date parts (no time-zone-dependent
-- truncation). Only the few over-capacity minutes are turned back into timestamps.
WITH machine_numbers AS (
    SELECT machine_id, capacity_per_hour, ROW_NUMBER() OVER (ORDER BY machine_id) AS machine_no
    FROM machines
),
per_minute AS (
    SELECT
        m.machine_no AS machine_no,
        ((year(p.screened_at) * 372 + (month(p.screened_at) - 1) * 31 + day(p.screened_at) - 1) * 1440
            + hour(p.screened_at) * 60 + minute(p.screened_at)) AS minute_key,
        COUNT(*) AS scans
    FROM parcels AS p
    JOIN machine_numbers AS m ON p.screening_machine_id = m.machine_id
    WHERE p.screened_at IS NOT NULL
    GROUP BY
        m.machine_no,
        ((year(p.screened_at) * 372 + (month(p.screened_at) - 1) * 31 + day(p.screened_at) - 1) * 1440
            + hour(p.screened_at) * 60 + minute(p.screened_at))
),
over_keys AS (
    SELECT
        m.machine_id AS machine_id,
        CAST(FLOOR(pm.minute_key / 1440) AS BIGINT) AS day_key,
        pm.minute_key % 1440 AS minute_of_day,
        pm.scans AS scans,
        CAST(pm.scans AS DOUBLE) * 60.0 / CAST(m.capacity_per_hour AS DOUBLE) AS load_ratio
    FROM per_minute AS pm
    JOIN machine_numbers AS m ON pm.machine_no = m.machine_no
    WHERE CAST(pm.scans AS DOUBLE) * 60.0 > CAST(m.capacity_per_hour AS DOUBLE)
),
over_minutes AS (
    SELECT
        machine_id,
        make_timestamp(CAST(FLOOR(day_key / 372) AS INT), CAST(FLOOR((day_key % 372) / 31) AS INT) + 1,
                       CAST(day_key % 31 AS INT) + 1, CAST(FLOOR(minute_of_day / 60) AS INT),
                       CAST(minute_of_day % 60 AS INT), 0) AS minute_start,
        scans,
        load_ratio
    FROM over_keys
),
marked AS (
    SELECT
        machine_id, minute_start, scans, load_ratio,
        CASE
            WHEN LAG(minute_start) OVER (PARTITION BY machine_id ORDER BY minute_start)
                 = minute_start - INTERVAL 1 MINUTE THEN 0
            ELSE 1
        END AS starts_run
    FROM over_minutes
),
numbered AS (
    SELECT
        machine_id, minute_start, scans, load_ratio,
        SUM(starts_run) OVER (
            PARTITION BY machine_id ORDER BY minute_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS run_no
    FROM marked
),
runs AS (
    SELECT
        machine_id,
        MIN(minute_start) AS run_start,
        MAX(minute_start) + INTERVAL 1 MINUTE AS run_end,
        SUM(scans) AS scans,
        MAX(load_ratio) AS load_ratio
    FROM numbered
    GROUP BY machine_id, run_no
)
SELECT
    'OVER_CAPACITY' AS kind,
    'machine' AS subject_type,
    r.machine_id AS subject_id,
    r.run_start AS window_start,
    r.run_end AS window_end,
    MAX(r.scans) AS parcel_count,
    MAX(r.load_ratio) AS measure,
    slice(array_sort(array_agg(p.waybill_no)), 1, 20) AS waybills
FROM runs AS r
JOIN parcels AS p
    ON p.screening_machine_id = r.machine_id
    AND p.screened_at >= r.run_start
    AND p.screened_at < r.run_end
GROUP BY r.machine_id, r.run_start, r.run_end
