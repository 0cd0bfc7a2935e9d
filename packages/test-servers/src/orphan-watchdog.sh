# Kills the servers a test process started if that process dies without cleaning up.
# stdin carries "+pid" (watch) and "-pid" (forget) lines; EOF means our parent is gone.
pids=" "
while IFS= read -r line; do
  case "$line" in
    +*) pids="$pids${line#+} " ;;
    -*) pids=$(printf '%s' "$pids" | sed "s/ ${line#-} / /") ;;
  esac
done
[ -n "${pids# }" ] && kill -9 $pids 2>/dev/null
exit 0
