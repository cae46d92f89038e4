import {
  to = local_file.missing
  id = "x.txt"
}
