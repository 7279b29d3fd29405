// Routes a request by method and path segments. Patterns are "/a/b/{name}/c"; static segments are
// compared as raw bytes, {name} segments capture one percent-decoded segment. A path that exists
// for other methods gives MethodNotAllowed with the Allow list (spec/api.md §1: 405 + Allow).
using System.Text;

namespace Prg.Http;

public sealed class Router
{
    private const int MaxSegments = 32;
    private readonly Node _root = new();

    /// <param name="tag">Opaque per-route data for the application (e.g. a metrics label).</param>
    public void Map(HttpMethod method, string pattern, RequestHandler handler, object? tag = null)
    {
        if (!pattern.StartsWith('/'))
        {
            throw new ArgumentException($"route pattern must start with '/': {pattern}", nameof(pattern));
        }
        var node = _root;
        var names = new List<string>();
        foreach (var segment in pattern.Length == 1 ? [] : pattern[1..].Split('/'))
        {
            if (segment.Length > 2 && segment[0] == '{' && segment[^1] == '}')
            {
                var name = segment[1..^1];
                if (node.Parameter is not null && node.ParameterName != name)
                {
                    throw new ArgumentException($"conflicting parameter names at {pattern}", nameof(pattern));
                }
                node.ParameterName = name;
                node = node.Parameter ??= new Node();
                names.Add(name);
            }
            else
            {
                if (segment.Length == 0 || segment.Contains('{') || segment.Contains('}'))
                {
                    throw new ArgumentException($"invalid segment '{segment}' in {pattern}", nameof(pattern));
                }
                var bytes = Encoding.UTF8.GetBytes(segment);
                var child = node.Statics.FirstOrDefault(s => s.Segment.AsSpan().SequenceEqual(bytes)).Child;
                if (child is null)
                {
                    child = new Node();
                    node.Statics.Add((bytes, child));
                }
                node = child;
            }
        }
        if (!node.Handlers.TryAdd(method, (handler, tag)))
        {
            throw new ArgumentException($"route {method} {pattern} is mapped twice", nameof(pattern));
        }
        node.Names = [.. names];
        node.Allow = string.Join(", ", node.Handlers.Keys
            .Concat(node.Handlers.ContainsKey(HttpMethod.Get) ? [HttpMethod.Head] : [])
            .Distinct().Order().Select(m => m.ToString().ToUpperInvariant()));
    }

    /// <summary>Matches the request's path and method; on Found the captures are in context.RouteValues.</summary>
    public RouteMatch Match(HttpContext context)
    {
        var path = context.Request.Path;
        Span<Range> segments = stackalloc Range[MaxSegments];
        var count = 0;
        if (path.Length > 1)
        {
            var rest = path[1..];
            var offset = 1;
            while (true)
            {
                if (count == MaxSegments)
                {
                    return RouteMatch.NotFound;
                }
                var slash = rest.IndexOf((byte)'/');
                var length = slash < 0 ? rest.Length : slash;
                segments[count++] = new Range(offset, offset + length);
                if (slash < 0)
                {
                    break;
                }
                rest = rest[(slash + 1)..];
                offset += length + 1;
            }
        }

        Span<int> captures = stackalloc int[MaxSegments];
        var node = Find(_root, path, segments[..count], 0, captures, 0);
        if (node is null || node.Handlers.Count == 0)
        {
            return RouteMatch.NotFound;
        }
        var method = context.Request.Method;
        if (!node.Handlers.TryGetValue(method, out var entry)
            && !(method == HttpMethod.Head && node.Handlers.TryGetValue(HttpMethod.Get, out entry)))
        {
            return new RouteMatch(RouteMatchKind.MethodNotAllowed, null, node.Allow, null);
        }
        for (var i = 0; i < node.Names.Length; i++)
        {
            var value = PercentDecoder.DecodeSegment(path[segments[captures[i]]]);
            if (value is null)
            {
                context.RouteValues.Clear();
                return RouteMatch.InvalidPath;
            }
            context.RouteValues.Add(node.Names[i], value);
        }
        return new RouteMatch(RouteMatchKind.Found, entry.Handler, null, entry.Tag);
    }

    // Depth-first with static segments preferred over parameters; captures[k] = index of the
    // segment bound to the k-th parameter on the path that matched.
    private static Node? Find(Node node, ReadOnlySpan<byte> path, ReadOnlySpan<Range> segments, int index, Span<int> captures, int captured)
    {
        if (index == segments.Length)
        {
            return node;
        }
        var segment = path[segments[index]];
        if (segment.IsEmpty)
        {
            return null;
        }
        foreach (var (bytes, child) in node.Statics)
        {
            if (segment.SequenceEqual(bytes))
            {
                var found = Find(child, path, segments, index + 1, captures, captured);
                if (found is not null && found.Handlers.Count > 0)
                {
                    return found;
                }
            }
        }
        if (node.Parameter is null)
        {
            return null;
        }
        captures[captured] = index;
        return Find(node.Parameter, path, segments, index + 1, captures, captured + 1);
    }

    private sealed class Node
    {
        public readonly List<(byte[] Segment, Node Child)> Statics = [];
        public Node? Parameter;
        public string? ParameterName;
        public readonly Dictionary<HttpMethod, (RequestHandler Handler, object? Tag)> Handlers = [];
        public string[] Names = [];
        public string Allow = "";
    }
}
