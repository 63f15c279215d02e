def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "ocr: runs the real OCR models (slow, a few seconds); these tests run once, in the library's suite",
    )
