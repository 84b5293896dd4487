using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Berth.Server.Ui;

/// <summary>
/// Where ASP.NET Core's data protection keeps its keys here: nowhere but memory. Nothing of Berth is protected with it
/// (the UI's session and form tokens are signed with the token signing key), but MVC makes a key ring at start, which
/// would otherwise be written to the home folder of whoever runs the server.
/// </summary>
public sealed class MemoryKeyRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];
    private readonly Lock _lock = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_lock)
        {
            return [.. _elements.Select(e => new XElement(e))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        lock (_lock)
        {
            _elements.Add(new XElement(element));
        }
    }
}
