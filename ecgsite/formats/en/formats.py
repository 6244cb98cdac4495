"""Date and time formats for English (en, en-gb): a time is never shown without its time zone
(the site's TIME_ZONE), so "14:05" cannot be read as the reader's own clock. The admin and
any template that formats a time without naming a format use these."""
DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
TIME_FORMAT = "H:i T"
