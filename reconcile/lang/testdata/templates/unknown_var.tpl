zone ${zone}
serial ${serial}
