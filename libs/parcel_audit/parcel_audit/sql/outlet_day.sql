-- scope: accept_date
-- One scan over the accepted parcels computing every outlet-day aggregate: the compliance metrics
-- and the inputs of SCREENED_BEFORE_ACCEPTED and LOW_*. Materialised as table `outlet_day`.
-- Example waybills: the 20 smallest waybill numbers of the offending parcels.
SELECT
    outlet_id,
    accept_date,
    COUNT(*) AS parcels,
    SUM(CASE WHEN realname_verified THEN 1 ELSE 0 END) AS realname_ok,
    SUM(CASE WHEN inspected THEN 1 ELSE 0 END) AS inspected_ok,
    SUM(CASE WHEN screening_machine_id IS NOT NULL THEN 1 ELSE 0 END) AS screened_ok,
    SUM(CASE WHEN screening_result = 'suspect' THEN 1 ELSE 0 END) AS suspect_count,
    SUM(CASE WHEN screened_at < accepted_at THEN 1 ELSE 0 END) AS before_accepted,
    slice(array_sort(array_agg(waybill_no) FILTER (WHERE NOT realname_verified)), 1, 20) AS realname_examples,
    slice(array_sort(array_agg(waybill_no) FILTER (WHERE NOT inspected)), 1, 20) AS inspection_examples,
    slice(array_sort(array_agg(waybill_no) FILTER (WHERE screening_machine_id IS NULL)), 1, 20) AS screening_examples,
    slice(array_sort(array_agg(waybill_no) FILTER (WHERE screened_at < accepted_at)), 1, 20) AS before_examples
FROM parcels
GROUP BY outlet_id, accept_date
