output "formatdate" { value = formatdate("YYYY-MM-DD hh:mm ZZZ", "2024-02-29T12:30:00Z") }
output "formatdate_names" { value = formatdate("EEEE, DD MMM YYYY", "2024-02-29T00:00:00Z") }
output "timeadd" { value = timeadd("2024-01-01T00:00:00Z", "36h") }
output "timecmp" { value = [timecmp("2024-01-01T00:00:00Z", "2024-01-01T01:00:00+01:00"), timecmp("2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z")] }
