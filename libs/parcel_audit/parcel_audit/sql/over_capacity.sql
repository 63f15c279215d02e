-- scope: screened_at
-- OVER_CAPACITY: a machine's scans inside one clock minute exceed capacity_per_hour / 60; consecutive
-- such minutes of one machine form one finding [first minute's start, last minute's end).
-- measure = the highest scans-per-minute / (capacity_per_hour / 60) of the run.
-- Minutes are grouped on (date, minute of the day) keys: no time-zone-dependent truncation, and one
-- integer key instead of two keeps the largest aggregate of the analysis small.
WITH per_minute AS (
    SELECT
        screening_machine_id AS machine_id,
        CAST(screened_at AS DATE) AS screen_date,
        hour(screened_at) * 60 + minute(screened_at) AS minute_of_day,
        COUNT(*) AS scans
    FROM parcels
    WHERE screening_machine_id IS NOT NULL AND screened_at IS NOT NULL
    GROUP BY screening_machine_id, CAST(screened_at AS DATE), hour(screened_at) * 60 + minute(screened_at)
),
over_minutes AS (
    SELECT
        pm.machine_id AS machine_id,
        make_timestamp(year(pm.screen_date), month(pm.screen_date), day(pm.screen_date),
                       CAST(FLOOR(pm.minute_of_day / 60) AS INT), pm.minute_of_day % 60, 0) AS minute_start,
        pm.scans AS scans,
        CAST(pm.scans AS DOUBLE) * 60.0 / CAST(m.capacity_per_hour AS DOUBLE) AS load_ratio
    FROM per_minute AS pm
    JOIN machines AS m ON pm.machine_id = m.machine_id
    WHERE CAST(pm.scans AS DOUBLE) * 60.0 > CAST(m.capacity_per_hour AS DOUBLE)
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
