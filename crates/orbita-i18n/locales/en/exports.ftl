# Background exports: the progress page and "My exports".

exports-title = File export
exports-my-title = My exports
exports-kept = Finished files are kept for a day.
exports-empty = No exports yet
exports-list = List
exports-format = Format
exports-started = Started
exports-elapsed = Elapsed
exports-state = Status
exports-rows = Rows
exports-rows-written = { $count ->
    [one] { $count } row written
   *[other] { $count } rows written
}
exports-rows-total = Rows in total: { $total }
exports-status-running = In progress
exports-status-done = Done
exports-status-failed = Failed
exports-status-stopped = Stopped
exports-failed-detail = The export failed: { $error }
exports-stopped-detail = The server stopped during the export. Start it again from the list.
exports-download = Download
exports-refresh = Refresh
exports-running-hint = You can close this page: the file will wait in My exports.
exports-open = Open
exports-size-kb = { $count } KB
