

def test_the_estimate_prints_the_checks_interval_where_it_is_slower():
    from hwgen.analysis.estimate import with_check
    from hwgen.analysis.perf_text import bottleneck_text

    perf = {"clock_mhz": 100.0, "max_cycles": 8128, "ii_cycles": 8128, "fps": 100e6 / 8128, "bottleneck": "/u",
            "latency_cycles": 20592, "latency_us": 205.92}
    slower = with_check(perf, {"interval": 8532, "latency": 21145})
    assert (slower["fps"], slower["ii_cycles"], slower["units_max_cycles"]) == (100e6 / 8532, 8532, 8128)
    assert slower["latency_cycles"] == 21145 and slower["interval_source"] == "check"
    assert "8,532 cycles/frame by the cycle-level check" in bottleneck_text(slower)
    for same in (with_check(perf, {"interval": 8128, "latency": 1}), with_check(perf, None)):
        assert same["fps"] == perf["fps"] and same["interval_source"] == "units"
        assert bottleneck_text(same) == "bottleneck /u (8,128 cycles/frame)"
