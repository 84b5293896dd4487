namespace Berth.Server.Registry.Browsing;

/// <summary>The groups the UI shows an image's referrers in, in the order it shows them.</summary>
public static class ReferrerKinds
{
    public const string Signatures = "Signatures";
    public const string Sboms = "SBOMs";
    public const string Attestations = "Attestations";
    public const string Other = "Other artifacts";

    public static readonly string[] InOrder = [Signatures, Sboms, Attestations, Other];
}
