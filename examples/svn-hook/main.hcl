# Commit policy for every Subversion repository on this server, declared
# once and installed in each repository's hooks/pre-commit.
#
# The hook calls `plumb svn check-commit REPOS TXN`, which reads the policy
# that plumb stores beside the hook (hooks/plumb-policy.json) and checks the
# commit being made: its log message, the paths it adds, the size of its
# files, and php -l on every added or changed .php file, run on the content
# being committed (never a working copy), several at once, each stopped
# after 20 seconds. A commit that breaks the policy is rejected with a
# message that names the file, the line and what to do.

variable "repositories" {
  description = "Paths of the repositories that get the policy."
  type        = set(string)
  default     = ["/srv/svn/website", "/srv/svn/intranet"]
}

resource "svn_pre_commit_hook" "policy" {
  for_each = var.repositories

  repository = each.key

  # Reject empty messages and messages of 5 characters or fewer.
  min_message_length = 6
  # Uncomment to require an issue key at the start of every message.
  # message_pattern = "^[A-Z]+-[0-9]+ "

  # No file over 20 MiB, no logs, no dependencies that a build fetches.
  max_file_size = 20 * 1024 * 1024
  forbid_paths  = ["*.log", "**/node_modules/**", "**/vendor/**/*.zip"]

  # A repository that already has a hand-written hooks/pre-commit keeps it:
  # plumb moves it to hooks/pre-commit.chained and runs it after its own
  # checks. Without this, plumb refuses to replace it.
  chain_existing = true

  lint {
    pattern = "*.php"
    command = ["php", "-l"]
    timeout = "20s"
  }
}
