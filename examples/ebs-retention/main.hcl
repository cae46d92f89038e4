# Daily EBS snapshots of web1, kept for a week.
#
# This replaces a cron script that looked up the volumes attached to the
# instance, snapshotted each one with the description
# "<hostname>_backup-<date>", and deleted snapshots older than seven days
# that it found by grepping the instance ID out of the snapshot list. The
# policy makes the same schedule declarative, and it only ever deletes
# snapshots carrying its own tag (plumb:policy = the resource address).

variable "instance_id" {
  description = "The EC2 instance whose attached EBS volumes are snapshotted."
  type        = string
  default     = "i-0a1b2c3d4e5f60718"
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_ebs_snapshot_policy" "web1" {
  instance_id = var.instance_id
  host_name   = "web1"

  # One snapshot of each volume a day, each kept for a week. (keep_last = 7
  # would keep a count instead; with both, a snapshot goes only once both
  # let it go.)
  interval = "24h"
  retain   = "7d"

  # {host}, {instance}, {volume}, {device}, {date} and {time} are filled in.
  description = "{host}_backup-{date} {device}"

  # Tags take the description's placeholders; copy_volume_tags = true would
  # give each snapshot its volume's tags too.
  tags = {
    Backup = "daily"
    Name   = "{host}-{device}-{date}"
  }

  # Each completed snapshot is also copied to a second region, as Data
  # Lifecycle Manager's cross-region copy does, and the copies are kept for a
  # month (counted from when the snapshot was taken). encrypted = true, with
  # an optional kms_key_id, encrypts the copies.
  copy {
    region = "eu-central-1"
    retain = "30d"
  }
}
