# During a denial-of-service attack: find who floods the site and who runs
# the attacks the rules below describe, and drop them with an nftables
# block list that plumb owns. Run it from cron every minute while the
# attack lasts (plumb -chdir=... apply -auto-approve); blocks expire by
# themselves, longer each time an address comes back. Try the rules on a
# log first: plumb detect -rules main.hcl sample-access.log

variable "log" {
  description = "Access logs to read (globs; .gz files and journalctl -o export output are read too)."
  type        = list(string)
  default     = ["sample-access.log"]
}

variable "office" {
  description = "Networks that are never blocked, whatever the logs say."
  type        = list(string)
  default     = ["198.51.100.0/24"]
}

data "access_log_offenders" "web" {
  paths  = var.log
  window = "15m"

  # A flood: anyone over 100 requests in the window, whatever they ask.
  threshold = 100
  # Health checks and the site's own assets are not what an attacker sends.
  exclude_uris = ["/healthz", "/static/"]

  # WordPress login brute force: 10 logins a minute is no person.
  rule {
    name     = "wp_login"
    method   = ["POST"]
    uri      = "^/wp-login\\.php"
    requests = 10
    within   = "1m"
    ban      = "1h"
  }

  # Scanners walking a list of paths: 20 not-founds a minute.
  rule {
    name     = "scanner_404"
    status   = ["404"]
    requests = 20
    within   = "1m"
    ban      = "6h"
  }

  # xmlrpc.php floods (pingback amplification, multicall brute force).
  rule {
    name     = "xmlrpc"
    uri      = "^/xmlrpc\\.php"
    requests = 30
    within   = "1m"
    ban      = "12h"
  }

  # Attack tools that say what they are: one request is enough.
  rule {
    name     = "bad_bots"
    agent    = "(?i)sqlmap|nikto|masscan|zgrab|nuclei|wpscan|dirbuster"
    requests = 1
    within   = "1h"
    ban      = "1d"
  }
}

resource "nftables_blocklist" "flood" {
  table       = "plumb_blocklist"
  addresses   = data.access_log_offenders.web.addresses
  evidence    = data.access_log_offenders.web.evidence
  counts      = data.access_log_offenders.web.counts
  bans        = data.access_log_offenders.web.bans
  timeout     = "1h"
  max_entries = 5000

  # A repeat offender is blocked twice as long each time, up to a week.
  repeat_factor = 2
  max_ban       = "1w"

  # Never the office, and never a real search-engine crawler: an address
  # is one only when its reverse DNS says so and resolves back to it.
  never_block = concat(var.office, ["googlebot", "bingbot"])
}
