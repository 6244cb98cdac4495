"""ml.reports.bench records which CPU its speed figures come from (they differ threefold between
2-core machines), and the card says it next to the speeds."""
from ml.reports import bench, card


def _cpuinfo(tmp_path, flags):
    path = tmp_path / "cpuinfo"
    block = f"processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu sse2 {flags}\n\n"
    path.write_text(block * 2)
    return path


def test_the_cpu_is_named_with_its_widest_vector_unit(tmp_path):
    assert bench.cpu_name(_cpuinfo(tmp_path, "avx avx2 avx512f")) == "Test CPU 9000, AVX-512"
    assert bench.cpu_name(_cpuinfo(tmp_path, "avx avx2")) == "Test CPU 9000, AVX2"
    assert bench.cpu_name(_cpuinfo(tmp_path, "neon")) == "Test CPU 9000"


def test_without_cpuinfo_the_platform_names_the_cpu(tmp_path):
    assert bench.cpu_name(tmp_path / "missing")


def test_the_readme_block_names_the_cpu_of_the_speed_figures():
    shipped = card.load_card(bench.DEFAULT_MODEL_DIR)
    extra = {**shipped["extra"], "cpus": 2, "cpu": "Test CPU 9000, AVX2"}
    block = card.readme_block({**shipped, "extra": extra})
    assert "(speeds on 2 CPU cores: Test CPU 9000, AVX2)" in block
