# Sourced by run.sh and test.sh (from the repository root): start_azurite DIR MODE starts Azurite (blobs, queues, tables)
# from node_modules on three free loopback ports — MODE "disk" keeps its data in DIR, "memory" runs in memory from DIR —
# with its log in DIR/azurite.log. It sets azurite_pid, azurite_ports ("blob queue table") and azurite_connection_string
# (all three endpoints), and returns 1 when Azurite exits or does not answer within 30 s.
azurite_bin="$(pwd)/node_modules/.bin/azurite"
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
start_azurite() {
  local dir=$1 mode=$2 blob queue table storage
  blob=$(free_port); queue=$(free_port); table=$(free_port)
  while [ "$queue" = "$blob" ]; do queue=$(free_port); done
  while [ "$table" = "$blob" ] || [ "$table" = "$queue" ]; do table=$(free_port); done
  # (--inMemoryPersistence and --location exclude each other; in memory it runs from DIR instead.)
  if [ "$mode" = memory ]; then storage=(--inMemoryPersistence); else storage=(--location "$dir"); fi
  (cd "$dir" && exec "$azurite_bin" "${storage[@]}" --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 \
    --queuePort "$queue" --tableHost 127.0.0.1 --tablePort "$table" --skipApiVersionCheck --loose --silent --disableTelemetry) \
    >"$dir/azurite.log" 2>&1 &
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
