removed {
  from = local_file.legacy
  lifecycle {
    destroy = false
  }
}

removed {
  from = plumb_data.scratch
}
