# Sourced by run.sh and test.sh (from the repository root): start_azurite DIR MODE starts Azurite (blobs, queues, tables)
# from node_modules on three free loopback ports — MODE "disk" keeps all its data in DIR, "memory" keeps blobs and tables
# in memory — with its log in DIR/azurite.log. It sets azurite_pid (one process to stop: it stops all three services),
# azurite_ports ("blob queue table") and azurite_connection_string (all three endpoints), and returns 1 when Azurite exits
# or does not answer within 30 s.
#
# One storage account, three Node.js processes (azurite-blob, azurite-queue, azurite-table): each service gets its own
# event loop, so the Durable runtime's queue traffic and the product's table batches do not wait on one core. The queue
# service always keeps its messages on disk in DIR: in memory, Azurite stores every message as an extent of its own and
# its queue garbage collection (every 60 s) deletes them one by one from an indexed collection — quadratic in the
# messages written, which blocked its event loop for 3–48 s under the Durable runtime's load (bench/README.md). On
# disk, messages share extent files.
azurite_bin_dir="$(pwd)/node_modules/.bin"
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
start_azurite() {
  local dir=$1 mode=$2 blob queue table data
  blob=$(free_port); queue=$(free_port); table=$(free_port)
  while [ "$queue" = "$blob" ]; do queue=$(free_port); done
  while [ "$table" = "$blob" ] || [ "$table" = "$queue" ]; do table=$(free_port); done
  # (--inMemoryPersistence and --location exclude each other; in memory a service runs from DIR instead.)
  if [ "$mode" = memory ]; then data=(--inMemoryPersistence); else data=(--location "$dir"); fi
  local common=(--skipApiVersionCheck --loose --silent --disableTelemetry)
  # The parent shell is the one process to stop: on TERM/INT it stops the three services, and when one of them exits it
  # stops the others (so a dead service is seen as a dead Azurite).
  (
    cd "$dir" || exit 1
    "$azurite_bin_dir/azurite-blob" "${data[@]}" --blobHost 127.0.0.1 --blobPort "$blob" "${common[@]}" & b=$!
    "$azurite_bin_dir/azurite-queue" --location "$dir" --queueHost 127.0.0.1 --queuePort "$queue" "${common[@]}" & q=$!
    "$azurite_bin_dir/azurite-table" "${data[@]}" --tableHost 127.0.0.1 --tablePort "$table" "${common[@]}" & t=$!
    trap 'kill -INT $b $q $t 2>/dev/null; wait; exit 0' TERM INT
    wait -n
    kill -INT $b $q $t 2>/dev/null
    wait
    exit 1
  ) >"$dir/azurite.log" 2>&1 &
  azurite_pid=$!
  azurite_ports="$blob $queue $table"
  azurite_connection_string="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$blob") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$queue") 2>/dev/null \
      && (exec 3<>"/dev/tcp/127.0.0.1/$table") 2>/dev/null && return 0
    kill -0 "$azurite_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
