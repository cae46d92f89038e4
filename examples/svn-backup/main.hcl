# Encrypted offsite backups of the Subversion repositories.
#
# Each run (see plumb.cron) backs up every repository that changed since
# its last backup, or whose last backup is older than the interval:
# svnadmin dump streams through age encryption into an S3 multipart upload,
# so no plaintext dump is ever written to disk. Incremental dumps carry the
# revisions since the last backup, with a full dump every seventh backup.
# Backups past retention are deleted only after a new one is complete.
#
# Only public keys are here. The private key stays off this server; it is
# needed only to restore (see README.md).

variable "repositories" {
  description = "Paths of the repositories to back up."
  type        = set(string)
  default     = ["/srv/svn/website", "/srv/svn/intranet"]
}

variable "bucket" {
  description = "The S3 bucket for the backups."
  type        = string
  default     = "example-svn-backups"
}

variable "recipients" {
  description = "age public keys the backups are encrypted to (age-keygen -y KEYFILE prints one)."
  type        = list(string)
  default     = ["age16znvn4dkq49kcra65ysfjvsv9977zuva3wfcxxeg4wq0nvngmcvq6rys9m"]
}

variable "local_backup_dir" {
  description = "Where an encrypted copy of each backup also stays on the server, one folder per repository."
  type        = string
  default     = "/var/backups/svn"
}

provider "svn" {
  region = "eu-west-1"
}

resource "svn_offsite_backup" "nightly" {
  for_each = var.repositories

  repository = each.key
  bucket     = var.bucket
  prefix     = "svn/${basename(each.key)}/"
  recipients = var.recipients

  interval    = "24h"
  incremental = true
  full_every  = 7

  # An encrypted copy of each backup also stays on the server for a week.
  local_dir       = "${var.local_backup_dir}/${basename(each.key)}"
  local_retention = "168h"

  # Keep 90 days of backups in S3, and never fewer than the newest.
  remote_retention {
    age = "2160h"
  }
}
