"""The site's own date formats (FORMAT_MODULE_PATH): every time shown names its time zone."""
